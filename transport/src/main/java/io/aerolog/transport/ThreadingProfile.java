package io.aerolog.transport;

import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * A threading profile: which threads the broker's agents (media driver, archive, cluster, produce agent, conductor)
 * run on, how each idles, how clients idle while they wait, and optionally which CPUs the broker uses. Profiles are
 * property files under version control: {@code profiles/NAME.properties} on the classpath (see {@link #BUILT_IN}),
 * or any file given by its path. Keys a file leaves out keep the {@code balanced} values; unknown keys are errors.
 *
 * <table>
 *     <caption>keys</caption>
 *     <tr><td>{@code driver.threading}</td><td>dedicated | shared-network | shared | invoker (the driver runs on
 *     the archive's thread; needs {@code archive.threading=invoker})</td></tr>
 *     <tr><td>{@code driver.idle}</td><td>idle strategy of the driver's threads ({@link IdleStrategies})</td></tr>
 *     <tr><td>{@code archive.threading}</td><td>dedicated | shared | invoker (the archive runs on the broker's
 *     data-path thread, with the driver if it is an invoker too)</td></tr>
 *     <tr><td>{@code archive.idle}</td><td>idle strategy of the archive's threads, or of the data-path thread when
 *     the archive is an invoker</td></tr>
 *     <tr><td>{@code cluster.idle}</td><td>idle strategy of the consensus module and the controller service</td></tr>
 *     <tr><td>{@code produce.thread}</td><td>dedicated | with-conductor (one thread for both broker agents) |
 *     with-archive (on the data-path thread; needs {@code archive.threading=invoker})</td></tr>
 *     <tr><td>{@code produce.idle}</td><td>idle strategy of the produce agent's own thread</td></tr>
 *     <tr><td>{@code conductor.idle}</td><td>idle strategy of the broker conductor</td></tr>
 *     <tr><td>{@code client.idle}</td><td>idle strategy of a client waiting for an answer or for records</td></tr>
 *     <tr><td>{@code client.driver.idle}</td><td>idle strategy of a UDP client's own media driver</td></tr>
 *     <tr><td>{@code cpu.affinity}</td><td>CPUs for the broker process, e.g. {@code 1} or {@code 0-1}; empty for
 *     any</td></tr>
 * </table>
 */
public final class ThreadingProfile
{
    /** The profile used when none is named. */
    public static final String DEFAULT = "balanced";

    /** Profiles shipped on the classpath. */
    public static final List<String> BUILT_IN =
        List.of("balanced", "low-latency", "small-low-latency", "one-thread");

    /** Driver threading key. */
    public static final String DRIVER_THREADING = "driver.threading";
    /** Driver idle key. */
    public static final String DRIVER_IDLE = "driver.idle";
    /** Archive threading key. */
    public static final String ARCHIVE_THREADING = "archive.threading";
    /** Archive idle key. */
    public static final String ARCHIVE_IDLE = "archive.idle";
    /** Cluster idle key. */
    public static final String CLUSTER_IDLE = "cluster.idle";
    /** Produce agent placement key. */
    public static final String PRODUCE_THREAD = "produce.thread";
    /** Produce agent idle key. */
    public static final String PRODUCE_IDLE = "produce.idle";
    /** Conductor idle key. */
    public static final String CONDUCTOR_IDLE = "conductor.idle";
    /** Client idle key. */
    public static final String CLIENT_IDLE = "client.idle";
    /** UDP client driver idle key. */
    public static final String CLIENT_DRIVER_IDLE = "client.driver.idle";
    /** CPU affinity key. */
    public static final String CPU_AFFINITY = "cpu.affinity";

    private static final Map<String, String> DEFAULTS = defaults();
    private static final List<String> DRIVER_MODES = List.of("dedicated", "shared-network", "shared", "invoker");
    private static final List<String> ARCHIVE_MODES = List.of("dedicated", "shared", "invoker");
    private static final List<String> PRODUCE_PLACEMENTS = List.of("dedicated", "with-conductor", "with-archive");

    private final String name;
    private final Map<String, String> values;

    private ThreadingProfile(final String name, final Map<String, String> values)
    {
        this.name = name;
        this.values = values;
    }

    private static Map<String, String> defaults()
    {
        // The balanced profile: gentle on a small shared machine (no thread spins), an idle broker costs little:
        // after 10 s without work the broker's threads park 10 ms at a time (balanced.properties says why).
        final String quiet = "backoff:10,5,1us,1ms,10s,10ms";
        final Map<String, String> map = new LinkedHashMap<>();
        map.put(DRIVER_THREADING, "shared");
        map.put(DRIVER_IDLE, quiet);
        map.put(ARCHIVE_THREADING, "shared");
        map.put(ARCHIVE_IDLE, quiet);
        map.put(CLUSTER_IDLE, quiet);
        map.put(PRODUCE_THREAD, "dedicated");
        map.put(PRODUCE_IDLE, "backoff:100,10,1us,100us,10s,10ms");
        map.put(CONDUCTOR_IDLE, quiet);
        map.put(CLIENT_IDLE, "backoff:10,20,1us,100us");
        map.put(CLIENT_DRIVER_IDLE, "backoff");
        map.put(CPU_AFFINITY, "");
        return Collections.unmodifiableMap(map);
    }

    /**
     * Loads a profile: a built-in name ({@code profiles/NAME.properties} on the classpath) or a file path.
     *
     * @param nameOrPath a profile name, or a path to a properties file; null or empty for {@link #DEFAULT}.
     * @return the profile, validated.
     * @throws IllegalArgumentException for an unknown name, an unreadable file, an unknown key or a bad value.
     */
    public static ThreadingProfile load(final String nameOrPath)
    {
        final String spec = null == nameOrPath || nameOrPath.isBlank() ? DEFAULT : nameOrPath.trim();
        final Properties properties = new Properties();
        final File file = new File(spec);
        final String name;
        if (file.isFile())
        {
            name = file.getName().replaceFirst("\\.properties$", "");
            try (InputStream in = new FileInputStream(file))
            {
                properties.load(in);
            }
            catch (final IOException ex)
            {
                throw new IllegalArgumentException(
                    "cannot read threading profile " + file + ": " + ex.getMessage(), ex);
            }
        }
        else
        {
            name = spec;
            final String resource = "profiles/" + spec + ".properties";
            try (InputStream in = ThreadingProfile.class.getClassLoader().getResourceAsStream(resource))
            {
                if (null == in || spec.contains("/"))
                {
                    throw new IllegalArgumentException("unknown threading profile '" + spec + "': use one of " +
                        BUILT_IN + " or the path of a properties file");
                }
                properties.load(in);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + resource, ex);
            }
        }
        return fromProperties(name, properties);
    }

    /**
     * A profile from properties already read.
     *
     * @param name       of the profile, for messages.
     * @param properties its settings; absent keys keep the balanced values.
     * @return the profile, validated.
     * @throws IllegalArgumentException for an unknown key or a bad value.
     */
    public static ThreadingProfile fromProperties(final String name, final Properties properties)
    {
        final Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        final List<String> unknown = new ArrayList<>();
        for (final String key : properties.stringPropertyNames())
        {
            if (!DEFAULTS.containsKey(key))
            {
                unknown.add(key);
            }
            else
            {
                values.put(key, properties.getProperty(key).trim());
            }
        }
        if (!unknown.isEmpty())
        {
            Collections.sort(unknown);
            throw new IllegalArgumentException("threading profile '" + name + "' has unknown keys " + unknown +
                "; known keys: " + DEFAULTS.keySet());
        }
        final ThreadingProfile profile = new ThreadingProfile(name, Collections.unmodifiableMap(values));
        profile.validate();
        return profile;
    }

    private void validate()
    {
        oneOf(DRIVER_THREADING, DRIVER_MODES);
        oneOf(ARCHIVE_THREADING, ARCHIVE_MODES);
        oneOf(PRODUCE_THREAD, PRODUCE_PLACEMENTS);
        for (final String key : List.of(
            DRIVER_IDLE, ARCHIVE_IDLE, CLUSTER_IDLE, PRODUCE_IDLE, CONDUCTOR_IDLE, CLIENT_IDLE, CLIENT_DRIVER_IDLE))
        {
            try
            {
                IdleStrategies.supplier(values.get(key));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("threading profile '" + name + "', " + key + ": " +
                    ex.getMessage(), ex);
            }
        }
        if (isDriverInvoker() && !isArchiveInvoker())
        {
            throw new IllegalArgumentException("threading profile '" + name + "': driver.threading=invoker needs " +
                "archive.threading=invoker (the archive's thread runs the driver)");
        }
        if ("with-archive".equals(values.get(PRODUCE_THREAD)) && !isArchiveInvoker())
        {
            throw new IllegalArgumentException("threading profile '" + name + "': produce.thread=with-archive " +
                "needs archive.threading=invoker");
        }
        cpuAffinity();
    }

    private void oneOf(final String key, final List<String> allowed)
    {
        if (!allowed.contains(values.get(key)))
        {
            throw new IllegalArgumentException("threading profile '" + name + "', " + key + "=" + values.get(key) +
                ": use one of " + allowed);
        }
    }

    /** @return the profile's name (a file's name without {@code .properties}). */
    public String name()
    {
        return name;
    }

    /**
     * @param key one of the keys above.
     * @return its value.
     */
    public String get(final String key)
    {
        final String value = values.get(key);
        if (null == value)
        {
            throw new IllegalArgumentException("unknown threading profile key " + key);
        }
        return value;
    }

    /**
     * @param key of an idle strategy setting, e.g. {@link #PRODUCE_IDLE}.
     * @return a supplier of fresh idle strategies of that setting.
     */
    public Supplier<IdleStrategy> idle(final String key)
    {
        return IdleStrategies.supplier(get(key));
    }

    /** @return the driver's threading mode in Aeron's spelling, e.g. {@code SHARED_NETWORK}. */
    public String driverThreadingMode()
    {
        return get(DRIVER_THREADING).replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** @return the archive's threading mode in Aeron's spelling, e.g. {@code INVOKER}. */
    public String archiveThreadingMode()
    {
        return get(ARCHIVE_THREADING).toUpperCase(Locale.ROOT);
    }

    /** @return true when the driver runs on the archive's (data-path) thread. */
    public boolean isDriverInvoker()
    {
        return "invoker".equals(get(DRIVER_THREADING));
    }

    /** @return true when the broker runs the archive on a data-path thread of its own making. */
    public boolean isArchiveInvoker()
    {
        return "invoker".equals(get(ARCHIVE_THREADING));
    }

    /** @return where the produce agent runs: dedicated, with-conductor or with-archive. */
    public String producePlacement()
    {
        return get(PRODUCE_THREAD);
    }

    /**
     * The CPUs the broker process should run on.
     *
     * @return CPU numbers, empty for no pinning.
     */
    public int[] cpuAffinity()
    {
        return parseCpuList(get(CPU_AFFINITY));
    }

    /**
     * Parses a CPU list such as {@code 0,2-3}.
     *
     * @param list the text; empty for none.
     * @return the CPU numbers.
     * @throws IllegalArgumentException for bad syntax.
     */
    public static int[] parseCpuList(final String list)
    {
        final String text = null == list ? "" : list.trim();
        if (text.isEmpty())
        {
            return new int[0];
        }
        final List<Integer> cpus = new ArrayList<>();
        try
        {
            for (final String part : text.split(","))
            {
                final String p = part.trim();
                final int dash = p.indexOf('-');
                final int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                final int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
                if (from < 0 || to < from)
                {
                    throw new IllegalArgumentException("bad CPU range '" + p + "'");
                }
                for (int cpu = from; cpu <= to; cpu++)
                {
                    cpus.add(cpu);
                }
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad CPU list '" + text + "': use e.g. 1 or 0,2-3", ex);
        }
        return cpus.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString()
    {
        return name + values;
    }
}
