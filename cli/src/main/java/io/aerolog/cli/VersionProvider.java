package io.aerolog.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Supplies {@code aerolog --version} from the version Maven writes into {@code aerolog-version.properties}.
 */
public final class VersionProvider implements IVersionProvider
{
    /**
     * @return the version of this build, or "unknown" when it cannot be found.
     */
    public static String version()
    {
        try (InputStream in = VersionProvider.class.getResourceAsStream("/aerolog-version.properties"))
        {
            if (null != in)
            {
                final Properties properties = new Properties();
                properties.load(in);
                final String version = properties.getProperty("version");
                if (null != version && !version.startsWith("${"))
                {
                    return version;
                }
            }
        }
        catch (final IOException ignore)
        {
            // unreadable resource: fall back to the jar manifest's version below
        }

        final String implementationVersion = VersionProvider.class.getPackage().getImplementationVersion();
        return null != implementationVersion ? implementationVersion : "unknown";
    }

    /**
     * {@inheritDoc}
     */
    public String[] getVersion()
    {
        return new String[]{ "aerolog " + version(), "Java " + System.getProperty("java.version") };
    }
}
