package io.aerolog.perf.latency;

import io.aerolog.client.ClientContext;

/**
 * What a {@link LatencyRun} runs against: one broker ({@link PerfBroker}) or a cluster of broker processes
 * ({@code io.aerolog.perf.cluster.PerfCluster}).
 */
public interface LatencyTarget
{
    /**
     * @return how clients reach it; copy it before changing it.
     */
    ClientContext clientContext();

    /**
     * @return null while it serves, else why it does not (a broker process that exited, with its last output).
     */
    String failure();

    /**
     * @return CPU time (user and system) the broker processes have used so far, in nanoseconds, or -1 when the
     * broker shares this process with the clients and cannot be told apart.
     */
    long brokerCpuNanos();
}
