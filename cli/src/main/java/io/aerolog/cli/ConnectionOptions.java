package io.aerolog.cli;

import io.aerolog.client.ClientContext;
import picocli.CommandLine.Option;

/**
 * The flags every client command takes to reach a broker. With neither, clients attach over IPC to a broker started
 * on this host with default settings.
 */
public final class ConnectionOptions
{
    @Option(
        names = "--bootstrap",
        paramLabel = "HOST:PORT[,HOST:PORT...]",
        description = "Client ingress of brokers of the cluster (UDP), e.g. broker1:9090,broker2:9090: any live one " +
            "will do, the client finds the others and each partition's leader through it.")
    String bootstrap;

    @Option(
        names = "--aeron-dir",
        paramLabel = "DIR",
        description = "Aeron directory of a broker on this host (IPC); default: that of a default broker.")
    String aeronDir;

    @Option(
        names = "--client-host",
        paramLabel = "HOST",
        description = "With --bootstrap: this host's address as the broker can reach it (default: localhost).")
    String clientHost;

    @Option(
        names = "--user",
        paramLabel = "USER",
        description = "Connect as this user (default: $AEROLOG_USER, else anonymous).")
    String user = System.getenv("AEROLOG_USER");

    @Option(
        names = "--password-file",
        paramLabel = "FILE",
        description = "File holding the user's password (default: $AEROLOG_PASSWORD holds it).")
    java.io.File passwordFile;

    /**
     * @param clientName shown in the broker's session list.
     * @return a context for the chosen broker.
     */
    public ClientContext clientContext(final String clientName)
    {
        final ClientContext ctx = new ClientContext().clientName(clientName);
        if (null != aeronDir)
        {
            ctx.aeronDirectoryName(aeronDir);
        }
        if (null != bootstrap)
        {
            for (final String entry : bootstrap.split(",", -1))
            {
                checkHostPort(entry.trim());
            }
            ctx.bootstrap(bootstrap);
        }
        if (null != clientHost)
        {
            ctx.clientHost(clientHost);
        }
        if (null != user && !user.isEmpty())
        {
            ctx.credentials(user, password());
        }
        return ctx;
    }

    private String password()
    {
        if (null != passwordFile)
        {
            return PasswordInput.readFile(passwordFile, "--password-file");
        }
        final String fromEnvironment = System.getenv("AEROLOG_PASSWORD");
        if (null == fromEnvironment)
        {
            throw new IllegalArgumentException("--user " + user + " needs --password-file or $AEROLOG_PASSWORD");
        }
        return fromEnvironment;
    }

    /**
     * Checks a {@code host:port}.
     *
     * @param hostPort to check.
     * @throws IllegalArgumentException if it is not a host, a colon and a port number.
     */
    static void checkHostPort(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        boolean valid = colon > 0 && colon == hostPort.indexOf(':') && colon < hostPort.length() - 1;
        if (valid)
        {
            try
            {
                final int port = Integer.parseInt(hostPort.substring(colon + 1));
                valid = port > 0 && port < 65536;
            }
            catch (final NumberFormatException ex)
            {
                valid = false;
            }
        }
        if (!valid)
        {
            throw new IllegalArgumentException("--bootstrap must be HOST:PORT[,HOST:PORT...], got: '" + hostPort + "'");
        }
    }
}
