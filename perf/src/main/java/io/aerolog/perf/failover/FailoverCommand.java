package io.aerolog.perf.failover;

import io.aerolog.client.AerologException;
import io.aerolog.client.TopicInfo;
import io.aerolog.perf.cluster.PerfCluster;
import io.aerolog.perf.latency.Failures;
import io.aerolog.perf.latency.PerfBroker;
import io.aerolog.transport.ThreadingProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code aerolog perf failover}: how long a partition is unavailable when its leader dies. Starts a cluster of
 * broker processes ({@code process.roles=broker,controller}), creates a one-partition topic replicated on every
 * broker, runs an idempotent acks=all producer at a fixed rate and a consumer, and then, round after round, kills
 * the partition's leader with {@code kill -9}, waits until a record sent after the kill is acknowledged and
 * delivered, restarts the killed broker and waits until it is back in the in-sync set. Per round and as min, median
 * and max over the rounds it prints the failover time and the consumer stall ({@link FailoverMeasure} defines both),
 * and at the end reads the partition back to count acknowledged records lost. Exits with 0 on success, 1 when a
 * round did not recover in time, a record acknowledged was lost or written twice, or the cluster failed, and 2 on
 * bad arguments.
 */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description = {
        "Measures failover: kill -9 of a partition's leader to the first acks=all acknowledgement of a record sent " +
            "after the kill, and the longest gap the consumer sees, over several rounds.",
        "Starts its own cluster of broker processes on loopback, restarts each killed broker and waits until it is " +
            "back in the in-sync set before the next round, and reads everything back at the end to count " +
            "acknowledged records lost."
    })
public final class FailoverCommand implements Callable<Integer>
{
    /** The topic the run creates. */
    public static final String TOPIC = "perf-failover";

    // The broker refuses a session timeout below twice its heartbeat interval (250 ms).
    static final long MIN_SESSION_TIMEOUT_MS = 500;
    private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(30);
    private static final long THREAD_READY_TIMEOUT_MS = 60_000;
    private static final long STOP_MARGIN_MS = 30_000; // beyond the delivery timeout the producer's flush may wait
    private static final long READ_BACK_IDLE_TIMEOUT_MS = 30_000;
    private static final long POLL_MS = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "20",
        description = "Leader kills (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "1000",
        description = "Records per second, 1 to 100000; the resolution of the failover time is about 1/rate " +
            "(default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
        description = "Value size in bytes, at least 8 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--brokers", paramLabel = "N", defaultValue = "3",
        description = "Broker processes, each also a controller member; the topic is replicated on all of them " +
            "(default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--min-insync-replicas", paramLabel = "N", defaultValue = "2",
        description = "min.insync.replicas of the topic, at most brokers - 1 so that acks=all goes on while one " +
            "broker is down (default: ${DEFAULT-VALUE}).")
    int minInsyncReplicas;

    @Option(names = "--broker-session-timeout-ms", paramLabel = "MS",
        description = "broker.session.timeout.ms of every broker: how long the controller waits for a dead " +
            "broker's heartbeat before electing new leaders (default: the broker's default, 1500).")
    Long brokerSessionTimeoutMs;

    @Option(names = "--delivery-timeout-ms", paramLabel = "MS", defaultValue = "120000",
        description = "The producer's delivery timeout: how long a record may wait for its acknowledgement, " +
            "retried across leader changes, before it fails; the run's end waits up to this long for what is " +
            "outstanding (default: ${DEFAULT-VALUE}, the producer's default).")
    long deliveryTimeoutMs;

    @Option(names = "--round-timeout", paramLabel = "SECONDS", defaultValue = "60",
        description = "Most a round may take to recover after the kill, and again to get the restarted broker " +
            "back in the in-sync set (default: ${DEFAULT-VALUE}).")
    long roundTimeoutSeconds;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
        description = "Steady load between the end of a round and the next kill (default: ${DEFAULT-VALUE}).")
    long intervalSeconds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "3",
        description = "Steady load before the first kill (default: ${DEFAULT-VALUE}).")
    long warmupSeconds;

    @Option(names = "--profile", paramLabel = "NAME|FILE", defaultValue = ThreadingProfile.DEFAULT,
        description = "Threading profile of the brokers and the clients (default: ${DEFAULT-VALUE}).")
    String profile;

    /**
     * Runs the rounds.
     *
     * @return the exit code.
     * @throws InterruptedException if interrupted.
     */
    public Integer call() throws InterruptedException
    {
        validate();
        final ThreadingProfile threadingProfile = PerfBroker.loadProfile(spec, profile);
        final PrintWriter out = spec.commandLine().getOut();
        out.println("aerolog perf failover: " + brokers + " broker processes, topic " + TOPIC + " with 1 partition, " +
            "replication factor " + brokers + ", min.insync.replicas " + minInsyncReplicas + ", acks=all " +
            "idempotent producer at " + rate + " records/s of " + size + " B, " + rounds +
            (1 == rounds ? " round, " : " rounds, ") +
            "broker.session.timeout.ms " + (null == brokerSessionTimeoutMs ? "default" : brokerSessionTimeoutMs) +
            ", profile " + threadingProfile.name());
        out.flush();

        final Properties settings = new Properties();
        if (null != brokerSessionTimeoutMs)
        {
            settings.setProperty("broker.session.timeout.ms", Long.toString(brokerSessionTimeoutMs));
        }
        final long startNs = System.nanoTime();
        try (PerfCluster cluster = PerfCluster.start(brokers, profile, threadingProfile, settings))
        {
            out.println("cluster: " + cluster.bootstrap() + ", started in " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms");
            out.flush();
            cluster.createTopic(TOPIC, 1, brokers, minInsyncReplicas);
            final String failure = new FailoverRun(cluster, out).run();
            return null == failure ? 0 : Failures.fail(spec, failure);
        }
        catch (final AerologException | IllegalStateException ex)
        {
            return Failures.fail(spec, "run failed: " + Failures.describe(ex));
        }
    }

    void validate()
    {
        if (rounds < 1)
        {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1: " + rounds);
        }
        if (rate < 1 || rate > 100_000)
        {
            throw new ParameterException(spec.commandLine(), "--rate must be from 1 to 100000: " + rate);
        }
        if (size < Long.BYTES)
        {
            throw new ParameterException(spec.commandLine(),
                "--size must be at least " + Long.BYTES + " (room for the sequence): " + size);
        }
        if (brokers < 2)
        {
            throw new ParameterException(spec.commandLine(), "--brokers must be at least 2: " + brokers);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > brokers - 1)
        {
            throw new ParameterException(spec.commandLine(), "--min-insync-replicas must be from 1 to brokers - 1 (" +
                (brokers - 1) + "), so that acks=all can go on while the killed broker is down: " + minInsyncReplicas);
        }
        if (null != brokerSessionTimeoutMs && brokerSessionTimeoutMs < MIN_SESSION_TIMEOUT_MS)
        {
            throw new ParameterException(spec.commandLine(), "--broker-session-timeout-ms must be at least " +
                MIN_SESSION_TIMEOUT_MS + " (twice the brokers' heartbeat interval): " + brokerSessionTimeoutMs);
        }
        if (deliveryTimeoutMs < 1)
        {
            throw new ParameterException(spec.commandLine(), "--delivery-timeout-ms must be at least 1: " +
                deliveryTimeoutMs);
        }
        if (roundTimeoutSeconds < 1 || intervalSeconds < 0 || warmupSeconds < 0)
        {
            throw new ParameterException(spec.commandLine(),
                "--round-timeout must be at least 1, --interval and --warmup at least 0");
        }
    }

    /** The rounds against one cluster. */
    private final class FailoverRun
    {
        private final PerfCluster cluster;
        private final PrintWriter out;
        private final FailoverLog log = new FailoverLog();
        private final List<Kill> kills = new ArrayList<>();
        private final FailoverProducer producer;
        private final FailoverConsumer consumer;

        FailoverRun(final PerfCluster cluster, final PrintWriter out)
        {
            this.cluster = cluster;
            this.out = out;
            this.producer = new FailoverProducer(cluster.clientContext(), TOPIC, rate, size, deliveryTimeoutMs, log);
            this.consumer = new FailoverConsumer(cluster.clientContext(), TOPIC, log);
        }

        String run() throws InterruptedException
        {
            final Thread consumerThread = new Thread(consumer, "aerolog-perf-failover-consumer");
            final Thread producerThread = new Thread(producer, "aerolog-perf-failover-producer");
            consumerThread.setDaemon(true);
            producerThread.setDaemon(true);
            consumerThread.start();
            String failure = null;
            try
            {
                if (!consumer.awaitReady(THREAD_READY_TIMEOUT_MS))
                {
                    return "the consumer did not start: " +
                        (null == consumer.error() ? "timed out" : Failures.describe(consumer.error()));
                }
                producerThread.start();
                failure = awaitProgress(0, Duration.ofSeconds(roundTimeoutSeconds), "the first record");
                if (null == failure)
                {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
                    for (int round = 1; round <= rounds && null == failure; round++)
                    {
                        failure = round(round);
                    }
                }
            }
            finally
            {
                final boolean producerStopped = producer.stop(deliveryTimeoutMs + STOP_MARGIN_MS);
                final int lastSent = producer.sent() - 1;
                if (producerStopped && null == failure && lastSent >= 0)
                {
                    // Let the consumer see the tail before it stops, so the last round's deliveries are complete.
                    awaitDelivered(producer.highestAcked(), Duration.ofSeconds(roundTimeoutSeconds));
                }
                consumer.stop(STOP_MARGIN_MS);
                if (!producerStopped && null == failure)
                {
                    failure = "the producer did not stop";
                }
            }
            return report(failure);
        }

        private String round(final int round) throws InterruptedException
        {
            final TopicInfo.PartitionInfo before = cluster.describe(TOPIC, 0, DESCRIBE_TIMEOUT);
            final int leader = before.leader();
            if (leader < 0)
            {
                return "round " + round + ": the partition has no leader before the kill: " + before;
            }
            final boolean controllerLeader = cluster.isControllerLeader(leader);
            final long killStartNs = System.nanoTime();
            cluster.kill9(leader);
            final long killDoneNs = System.nanoTime();
            // Every sequence from here on was handed to the producer after the leader was gone.
            final int firstAfter = producer.sent() + 1;
            String failure = awaitProgress(firstAfter, Duration.ofSeconds(roundTimeoutSeconds),
                "a record sent after the kill");
            final long recoveredNs = System.nanoTime();
            final int successor = null == failure ? cluster.awaitNewLeader(TOPIC, 0, leader, DESCRIBE_TIMEOUT) : -1;
            final Kill kill = new Kill(round, leader, controllerLeader, successor, killStartNs, killDoneNs);
            kills.add(kill);
            if (null != failure)
            {
                return "round " + round + " (broker " + leader + " killed) did not recover within " +
                    roundTimeoutSeconds + " s: " + failure;
            }
            cluster.restart(leader);
            failure = cluster.awaitFullyInSync(TOPIC, 0, Duration.ofSeconds(roundTimeoutSeconds));
            kill.rejoinedNs = System.nanoTime() - killStartNs;
            out.println(String.format(Locale.ROOT, "round %d: killed broker %d (leader%s), new leader %d, " +
                "recovered in about %d ms, back in the ISR %d ms after the kill", round, leader,
                controllerLeader ? " and controller leader" : "", successor,
                TimeUnit.NANOSECONDS.toMillis(recoveredNs - killStartNs),
                TimeUnit.NANOSECONDS.toMillis(kill.rejoinedNs)));
            out.flush();
            if (null != failure)
            {
                return "round " + round + ": broker " + leader + " restarted but " + failure;
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(intervalSeconds));
            return null;
        }

        // Waits until record seq (or a later one) is acknowledged and delivered.
        private String awaitProgress(final int seq, final Duration timeout, final String what)
            throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + timeout.toNanos();
            while (producer.highestAcked() < seq || consumer.highestDelivered() < seq)
            {
                final String failure = threadFailure();
                if (null != failure)
                {
                    return failure;
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    return "no " + (producer.highestAcked() < seq ? "acknowledgement" : "delivery") + " of " + what +
                        " (record " + seq + ") within " + timeout.toSeconds() + " s; highest acknowledged " +
                        producer.highestAcked() + ", highest delivered " + consumer.highestDelivered();
                }
                Thread.sleep(POLL_MS);
            }
            return null;
        }

        private void awaitDelivered(final long seq, final Duration timeout) throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + timeout.toNanos();
            while (consumer.highestDelivered() < seq && System.nanoTime() - deadlineNs < 0 && null == threadFailure())
            {
                Thread.sleep(POLL_MS);
            }
        }

        private String threadFailure()
        {
            if (null != producer.error())
            {
                return "the producer failed: " + Failures.describe(producer.error());
            }
            if (producer.isDone())
            {
                return "the producer stopped";
            }
            if (null != consumer.error())
            {
                return "the consumer failed: " + Failures.describe(consumer.error());
            }
            return cluster.failure();
        }

        private String report(final String runFailure)
        {
            out.println();
            out.println(String.format(Locale.ROOT, "%-6s %-8s %-10s %-10s %14s %12s %12s",
                "round", "killed", "controller", "new leader", "failover (ms)", "stall (ms)", "ISR (ms)"));
            final long[] failovers = new long[kills.size()];
            final long[] stalls = new long[kills.size()];
            int measured = 0;
            for (final Kill kill : kills)
            {
                final long failoverNs = FailoverMeasure.failoverNs(log, kill.startNs, kill.doneNs);
                final long stallNs = FailoverMeasure.stallNs(log, kill.startNs, kill.doneNs);
                out.println(String.format(Locale.ROOT, "%-6d %-8d %-10s %-10s %14s %12s %12s", kill.round,
                    kill.leader, kill.controllerLeader ? "yes" : "no", kill.successor < 0 ? "-" : kill.successor,
                    millis(failoverNs), millis(stallNs), kill.rejoinedNs < 0 ? "-" : millis(kill.rejoinedNs)));
                if (FailoverMeasure.NOT_RECOVERED != failoverNs && FailoverMeasure.NOT_RECOVERED != stallNs)
                {
                    failovers[measured] = failoverNs;
                    stalls[measured] = stallNs;
                    measured++;
                }
            }
            if (measured > 0)
            {
                out.println();
                out.println("over " + measured + " round" + (1 == measured ? "" : "s") + " (ms):  min  median  max");
                out.println("failover (kill -9 -> first acks=all ack of a record sent after it): " +
                    stats(Arrays.copyOf(failovers, measured)));
                out.println("consumer stall (longest gap between deliveries):                  " +
                    stats(Arrays.copyOf(stalls, measured)));
            }
            out.flush();

            String failure = runFailure;
            final int sent = log.sent();
            if (sent > 0 && null == cluster.failure())
            {
                try
                {
                    final ReadBack readBack = ReadBack.read(cluster.clientContext(), TOPIC, READ_BACK_IDLE_TIMEOUT_MS);
                    final LossCheck check = LossCheck.of(log, readBack.found(), readBack.duplicates());
                    out.println(String.format(Locale.ROOT, "records: %d sent, %d acknowledged, %d send errors, %d " +
                        "read back; acknowledged but lost: %d%s; written twice: %d", sent, check.acked(),
                        check.failed(), readBack.records(), check.lost(),
                        check.lost() > 0 ? " (the first: record " + check.firstLost() + ")" : "", check.duplicates()));
                    if (null != producer.firstSendError())
                    {
                        out.println("first send error: " + producer.firstSendError());
                    }
                    if (null == failure && !check.isClean())
                    {
                        failure = check.lost() + " acknowledged records lost, " + check.duplicates() +
                            " written twice: the failover figures do not count";
                    }
                }
                catch (final AerologException | IllegalStateException ex)
                {
                    out.println("records: could not read the topic back: " + Failures.describe(ex));
                    failure = null == failure ? "reading back failed: " + Failures.describe(ex) : failure;
                }
            }
            out.flush();
            return failure;
        }
    }

    private static String stats(final long[] valuesNs)
    {
        final RoundStats stats = RoundStats.of(valuesNs);
        return millis(stats.min()) + "  " + millis(stats.median()) + "  " + millis(stats.max());
    }

    static String millis(final long ns)
    {
        return ns < 0 ? "-" : String.format(Locale.ROOT, "%.1f", ns / 1e6);
    }

    /** One kill: what was killed and when. */
    private static final class Kill
    {
        final int round;
        final int leader;
        final boolean controllerLeader;
        final int successor;
        final long startNs;
        final long doneNs;
        long rejoinedNs = -1;

        Kill(final int round, final int leader, final boolean controllerLeader, final int successor,
            final long startNs, final long doneNs)
        {
            this.round = round;
            this.leader = leader;
            this.controllerLeader = controllerLeader;
            this.successor = successor;
            this.startNs = startNs;
            this.doneNs = doneNs;
        }
    }
}
