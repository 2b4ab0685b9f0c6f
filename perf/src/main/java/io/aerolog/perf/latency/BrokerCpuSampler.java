package io.aerolog.perf.latency;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures how much CPU the broker processes of a run use over its measured seconds: a daemon thread takes the
 * broker's CPU time when the warmup ends, and {@link #coresUsedUntilNow()} divides what was used since by the
 * wall-clock time. Outside the data path: it sleeps until the warmup ends and samples once.
 */
public final class BrokerCpuSampler
{
    private final LatencyTarget broker;
    private final long fromNs;
    private volatile long fromCpuNanos = Long.MIN_VALUE;

    private BrokerCpuSampler(final LatencyTarget broker, final long fromNs)
    {
        this.broker = broker;
        this.fromNs = fromNs;
    }

    /**
     * @param broker whose CPU time to sample.
     * @param fromNs {@link System#nanoTime()} to start measuring at, normally the end of the warmup.
     * @return the sampler, its thread started.
     */
    static BrokerCpuSampler start(final LatencyTarget broker, final long fromNs)
    {
        final BrokerCpuSampler sampler = new BrokerCpuSampler(broker, fromNs);
        final Thread thread = new Thread(sampler::sampleAtStart, "aerolog-perf-cpu-sampler");
        thread.setDaemon(true);
        thread.start();
        return sampler;
    }

    /**
     * @return cores' worth of CPU used since the start (1.0 is one core all the time), or -1 if the broker's CPU
     * time is unknown or the start has not been reached.
     */
    double coresUsedUntilNow()
    {
        final long startCpu = fromCpuNanos;
        final long nowNs = System.nanoTime();
        final long nowCpu = broker.brokerCpuNanos();
        if (Long.MIN_VALUE == startCpu || startCpu < 0 || nowCpu < 0 || nowNs <= fromNs)
        {
            return -1;
        }
        return (double)(nowCpu - startCpu) / (nowNs - fromNs);
    }

    /**
     * @param pid of a running process.
     * @return CPU time (user and system) the process has used so far in nanoseconds, or -1 if the platform does not
     * say or the process has gone.
     */
    public static long cpuNanosOf(final long pid)
    {
        return ProcessHandle.of(pid)
            .flatMap((handle) -> handle.info().totalCpuDuration())
            .map(Duration::toNanos)
            .orElse(-1L);
    }

    private void sampleAtStart()
    {
        long remainingNs;
        while ((remainingNs = fromNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(Math.min(remainingNs, TimeUnit.MILLISECONDS.toNanos(100)));
        }
        fromCpuNanos = broker.brokerCpuNanos();
    }
}
