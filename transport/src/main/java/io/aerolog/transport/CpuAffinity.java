package io.aerolog.transport;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Pins a process to CPUs with {@code taskset} (util-linux): no native library. Threads started after pinning inherit
 * the affinity, so pin before the threads to pin are started (or pin a child process when it is launched).
 */
public final class CpuAffinity
{
    private static final String[] TASKSET_PATHS = {"/usr/bin/taskset", "/bin/taskset", "/usr/local/bin/taskset"};

    private CpuAffinity()
    {
    }

    /**
     * Why the CPUs cannot be used here, or null when they can.
     *
     * @param cpus CPU numbers.
     * @return a note for the user, or null.
     */
    public static String unusableReason(final int[] cpus)
    {
        if (0 == cpus.length)
        {
            return "no CPUs named";
        }
        if (null == taskset())
        {
            return "taskset is not installed";
        }
        final int available = Runtime.getRuntime().availableProcessors();
        for (final int cpu : cpus)
        {
            if (cpu >= available)
            {
                return "this machine has " + available + " CPUs, so CPU " + cpu + " does not exist";
            }
        }
        return null;
    }

    /**
     * The command prefix that starts a process pinned to the CPUs.
     *
     * @param cpus CPU numbers, which {@link #unusableReason} accepted.
     * @return e.g. {@code [/usr/bin/taskset, -c, 1]}.
     */
    public static List<String> commandPrefix(final int[] cpus)
    {
        return List.of(taskset(), "-c", cpuList(cpus));
    }

    /**
     * Pins every thread of this JVM (and the threads it starts later) to the CPUs.
     *
     * @param cpus CPU numbers.
     * @return a line for the user: what was done, or why pinning was skipped.
     */
    public static String pinThisProcess(final int[] cpus)
    {
        final String reason = unusableReason(cpus);
        if (null != reason)
        {
            return "note: not pinning to CPUs " + cpuList(cpus) + ": " + reason;
        }
        final long pid = ProcessHandle.current().pid();
        try
        {
            final Process process = new ProcessBuilder(taskset(), "-a", "-p", "-c", cpuList(cpus), Long.toString(pid))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(5, TimeUnit.SECONDS) || 0 != process.exitValue())
            {
                process.destroyForcibly();
                return "note: not pinned: taskset failed for CPUs " + cpuList(cpus);
            }
            return "pinned to CPUs " + cpuList(cpus);
        }
        catch (final IOException ex)
        {
            return "note: not pinned: " + ex.getMessage();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "note: not pinned: interrupted";
        }
    }

    /**
     * @param cpus CPU numbers.
     * @return them as taskset's list, e.g. {@code 0,1}.
     */
    public static String cpuList(final int[] cpus)
    {
        return Arrays.stream(cpus).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static String taskset()
    {
        for (final String path : TASKSET_PATHS)
        {
            if (new File(path).canExecute())
            {
                return path;
            }
        }
        return null;
    }
}
