package io.aerolog.perf.latency;

import io.aerolog.codecs.wire.Acks;
import io.aerolog.transport.CpuAffinity;
import io.aerolog.transport.ThreadingProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.concurrent.Callable;

/**
 * {@code aerolog perf latency}: fixed-rate, open-loop load on a fresh broker, reporting produce-to-ack and
 * produce-to-consume latency percentiles measured from each record's intended send time (corrected for
 * coordinated omission). With {@code --transport ipc} the broker runs in this process and the clients talk IPC to
 * it; with {@code --transport udp} it runs in a JVM of its own ({@code io.aerolog.testsupport.BrokerProcess}) and the clients, each with its
 * own media driver, talk UDP over loopback. The producer runs on the calling thread and the consumer, reading the
 * topic from the beginning, on a thread of its own. Exits with 0 on success, 1 when records were lost, sends failed
 * or the broker failed, and 2 on bad arguments.
 */
@Command(
    name = "latency",
    resourceBundle = "io.aerolog.perf.latency.LatencyCommand",
    mixinStandardHelpOptions = true,
    description = {
        "Measures produce->ack and produce->consume latency under fixed-rate, open-loop load.",
        "Starts a fresh broker (in this process for ipc, in a child JVM for udp), sends records at a fixed rate " +
            "from intended send times that do not wait for late sends, consumes them from the beginning, and " +
            "prints percentiles in microseconds of what was sent after the warmup."
    })
public final class LatencyCommand implements Callable<Integer>
{
    /** Exit code when the run failed: records lost, sends failed, the broker failed. */
    public static final int EXIT_FAILED = Failures.EXIT_FAILED;

    /** The topic the run creates on its fresh broker. */
    public static final String TOPIC = LatencyRun.TOPIC;

    /** Accepted by --transport only to explain why it cannot run. */
    static final String MULTICAST = "multicast";

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions brokerOptions;

    @Mixin
    LoadOptions loadOptions;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
        description = "Partitions of the topic, sent to in turn (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--consumers", paramLabel = "N", defaultValue = "1",
        description = "Consumers, each reading every record of the topic on a thread and client of its own; " +
            "end-to-end latency counts every delivery (default: ${DEFAULT-VALUE}).")
    int consumers;

    @Option(names = "--acks", paramLabel = "0|1|all", defaultValue = "all", converter = AcksConverter.class,
        description = "Producer acks (default: ${DEFAULT-VALUE}).")
    Acks acks;

    @Option(names = "--pin", paramLabel = "CPUS",
        description = "Pin the broker to these CPUs with taskset (udp: the child JVM; ipc: this whole process), " +
            "e.g. 1; wins over the profile's cpu.affinity. Skipped with a note where the CPUs do not exist.")
    String pin;

    @Option(names = "--hgrm", paramLabel = "PREFIX",
        description = "Also write PREFIX-e2e.hgrm and PREFIX-ack.hgrm: percentile distributions in microseconds.")
    String hgrm;

    @Option(names = "--plot", paramLabel = "FILE",
        description = "Also draw both latency-by-percentile curves into FILE.png.")
    String plot;

    /**
     * Runs the measurement.
     *
     * @return the exit code.
     * @throws InterruptedException if interrupted.
     */
    public Integer call() throws InterruptedException
    {
        validate();
        final ThreadingProfile threadingProfile = PerfBroker.loadProfile(spec, brokerOptions.profile);
        final int[] cpus;
        try
        {
            cpus = null != pin ? ThreadingProfile.parseCpuList(pin) : threadingProfile.cpuAffinity();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final String transport = brokerOptions.transport;
        final int size = brokerOptions.size;
        final long rate = loadOptions.rate;
        final LatencyRun run = new LatencyRun(size, rate, loadOptions.warmup, loadOptions.duration, partitions, acks)
            .consumers(consumers);
        out.println("aerolog perf latency: " + transport + ", " + size + "-byte values, " + rate + " records/s for " +
            loadOptions.duration + " s after " + loadOptions.warmup + " s of warmup (" + run.total() + " records), " +
            partitions + " partition" + (1 == partitions ? "" : "s") + ", " +
            consumers + " consumer" + (1 == consumers ? "" : "s") + ", acks=" + AcksConverter.toString(acks) +
            ", profile " + threadingProfile.name());
        final String pinNote = cpus.length == 0 ? null : CpuAffinity.unusableReason(cpus);
        if (null != pinNote)
        {
            out.println("note: not pinning the broker to CPUs " + CpuAffinity.cpuList(cpus) + ": " + pinNote);
        }
        final int[] pinTo = null == pinNote ? cpus : new int[0];
        out.flush();

        return PerfBroker.run(spec, transport, out, brokerOptions.profile, threadingProfile, pinTo, (broker) ->
        {
            final String failure = run.run(broker, out);
            report(out, run);
            return failure;
        });
    }

    private void validate()
    {
        if (MULTICAST.equals(brokerOptions.transport))
        {
            throw new ParameterException(spec.commandLine(), multicastUnsupported());
        }
        brokerOptions.validate(spec, " (room for the send time)");
        loadOptions.validate(spec);
        if (partitions < 1)
        {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1: " + partitions);
        }
        if (consumers < 1)
        {
            throw new ParameterException(spec.commandLine(), "--consumers must be at least 1: " + consumers);
        }
        loadOptions.validateRecordCount(spec);
    }

    private void report(final PrintWriter out, final LatencyRun run)
    {
        out.println();
        out.println(LatencyHistograms.header());
        out.println(LatencyHistograms.row("produce->ack", run.ackHistogram()));
        out.println(LatencyHistograms.row("produce->consume", run.e2eHistogram()));
        out.println();
        if (null != hgrm)
        {
            final File e2e = new File(hgrm + "-e2e.hgrm");
            final File ack = new File(hgrm + "-ack.hgrm");
            LatencyHistograms.writeHgrm(run.e2eHistogram(), e2e);
            LatencyHistograms.writeHgrm(run.ackHistogram(), ack);
            out.println("wrote " + e2e + " and " + ack + " (values in microseconds)");
        }
        if (null != plot)
        {
            final File png = LatencyPlot.pngFile(plot);
            new LatencyPlot("aerolog perf latency: " + brokerOptions.transport + ", " + brokerOptions.size + " B, " +
                loadOptions.rate + "/s, acks=" + AcksConverter.toString(acks))
                .add("produce->consume", run.e2eHistogram())
                .add("produce->ack", run.ackHistogram())
                .write(png);
            out.println("wrote " + png);
        }
        out.flush();
    }

    /**
     * Why multicast cannot be measured: the broker streams a consumer's data on the channel the client names when
     * it connects, and the client library always names a unicast UDP endpoint of its own; a multicast consumer path
     * needs client and broker changes. On loopback the interface must also carry the MULTICAST flag.
     */
    static String multicastUnsupported()
    {
        String loopback;
        try
        {
            final NetworkInterface lo = NetworkInterface.getByName("lo");
            loopback = null == lo ? "there is no interface named lo" :
                (lo.supportsMulticast() ? "lo supports multicast" :
                "and lo has no MULTICAST flag here (ip link show lo; ip link set lo multicast on)");
        }
        catch (final SocketException ex)
        {
            loopback = "lo could not be checked: " + ex.getMessage();
        }
        return "--transport multicast is not supported: consumers receive their data on a unicast UDP channel " +
            "that the client library names when it connects (the broker replays to it), so measuring multicast " +
            "needs client and broker changes; " + loopback;
    }
}
