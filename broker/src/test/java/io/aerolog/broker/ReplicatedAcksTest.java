package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;
import io.aerolog.codecs.replica.MessageHeaderEncoder;
import io.aerolog.codecs.replica.ReplicaPositionEncoder;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.node.NodeSecret;
import io.aerolog.node.PortBases;
import io.aerolog.transport.StreamIds;
import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real broker leads a partition of replication factor 2 whose follower is a {@link ReplicaChannel} of a second
 * broker id on the same media driver, sending real reports over UDP; the follower's copy is a counter the test moves,
 * standing in for the recording position of a replicated copy.
 */
@Timeout(60)
class ReplicatedAcksTest
{
    private static final String SECRET = "replicated-acks-test-secret-0123456789";
    private static final int FOLLOWER_ID = 1;

    @TempDir
    File dir;

    private Broker broker;
    private int leaderId;
    private int portBase;
    private PartitionLog log;
    private ClientContext clientCtx;
    private Aeron followerAeron;
    private final AgentRunner[] followerRunners = new AgentRunner[2];
    private ReplicaChannel follower;
    private ReplicaCounters followerCounters;
    private Counter followerCopy;
    private final AtomicLong followerSeenHighWatermark = new AtomicLong(-1);
    private final ConcurrentLinkedQueue<int[]> proposals = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void setUp()
    {
        portBase = PortBases.find("127.0.0.1");
        broker = Broker.launch(new Broker.Context().dataDir(new File(dir, "leader")).portBase(portBase)
            .aeronDirectoryName(dir.getAbsolutePath() + "/aeron").logTermLength(64 * 1024)
            .segmentLength(256 * 1024).secret(SECRET).replicaLagTimeMaxMs(500));
        leaderId = broker.context().brokerId();
        broker.isrChangeListener((topicId, partition, leaderEpoch, partitionEpoch, isr) -> proposals.add(isr));
        clientCtx = broker.clientContext().requestTimeoutMs(5000);
        try (Admin admin = Admin.connect(clientCtx))
        {
            admin.createTopic("t", 1);
        }
        await(() -> broker.partitionLogs().stream().anyMatch((l) -> "t".equals(l.topicName())));
        log = broker.partitionLogs().stream().filter((l) -> "t".equals(l.topicName())).findFirst().orElseThrow();

        followerAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(broker.context().aeronDirectoryName()));
        followerCopy = followerAeron.addCounter(1099, "test follower copy of t-0");
        followerCounters = new ReplicaCounters(followerAeron, FOLLOWER_ID);
        follower = startFollower(0, FOLLOWER_ID, NodeSecret.of(SECRET), followerCounters, portBase + 20);

        broker.produceAgent().lead(log, 0, 0, new int[]{leaderId, FOLLOWER_ID}, new int[]{leaderId, FOLLOWER_ID}, 2,
            log.highWatermarkPosition());
    }

    @AfterEach
    void tearDown()
    {
        for (final AgentRunner runner : followerRunners)
        {
            CloseHelper.quietClose(runner);
        }
        CloseHelper.quietCloseAll(followerCounters, followerCopy, followerAeron, broker);
    }

    @Test
    void acksAllWaitsForTheFollowerAndAcksOneDoesNot() throws Exception
    {
        try (Producer all = Producer.connect(clientCtx, new Producer.Config().acks(Acks.ALL));
            Producer one = Producer.connect(clientCtx, new Producer.Config().acks(Acks.LEADER)))
        {
            final CompletableFuture<RecordMetadata> waiting = all.send(record("a"));
            pollFor(all, 500);
            final long endOfFirst = log.recordedPosition();
            assertThat(endOfFirst).as("the leader's own archive has it").isGreaterThan(0);
            assertThat(waiting).as("acks=all waits for the in-sync follower").isNotDone();
            assertThat(log.highWatermark()).isZero();

            final CompletableFuture<RecordMetadata> leaderOnly = one.send(record("b"));
            pollUntil(one, leaderOnly::isDone);
            assertThat(leaderOnly.get().offset()).as("acks=1 is the leader's archive alone").isEqualTo(1);
            assertThat(waiting).isNotDone();

            followerCopy.setOrdered(endOfFirst - 1);
            pollFor(all, 300);
            assertThat(waiting).as("the follower has not passed the batch yet").isNotDone();
            assertThat(log.highWatermark()).isZero();

            followerCopy.setOrdered(endOfFirst);
            pollUntil(all, waiting::isDone);
            assertThat(waiting.get().offset()).isZero();
            await(() -> 1 == log.highWatermark());
            assertThat(log.highWatermarkPosition()).isEqualTo(endOfFirst);

            followerCopy.setOrdered(log.recordedPosition());
            await(() -> 2 == log.highWatermark());
            assertThat(log.highWatermarkPosition()).isEqualTo(log.recordedPosition());
            await(() -> 2 == followerSeenHighWatermark.get());
        }
    }

    @Test
    void refusesAcksAllBelowMinInsyncAndFailsPendingOnesWhenTheSetShrinks() throws Exception
    {
        // The producer retries both refusals until its delivery timeout, then fails with the last one.
        final Producer.Config shortTimeout = new Producer.Config().acks(Acks.ALL).deliveryTimeoutMs(1500);
        try (Producer all = Producer.connect(clientCtx, shortTimeout))
        {
            final CompletableFuture<RecordMetadata> pending = all.send(record("a"));
            pollFor(all, 300);
            assertThat(pending).isNotDone();

            broker.produceAgent().onPartitionChange(log.topicId(), 0, 0, 1, new int[]{leaderId}, 2);
            pollUntil(all, pending::isDone);
            assertThat(codeOf(pending)).isEqualTo(ErrorCode.NOT_ENOUGH_REPLICAS);
            assertThat(log.logEndOffset()).as("appended once, its retries not again").isEqualTo(1);
        }
        try (Producer all = Producer.connect(clientCtx, shortTimeout))
        {
            final CompletableFuture<RecordMetadata> refused = all.send(record("b"));
            pollUntil(all, refused::isDone);
            assertThat(codeOf(refused)).isEqualTo(ErrorCode.NOT_ENOUGH_REPLICAS);
            assertThat(log.logEndOffset()).as("nothing appended").isEqualTo(1);
        }
    }

    @Test
    void acknowledgesABatchRetriedAfterTheSetShrankOnceTheSetIsBackWithItsOriginalOffset() throws Exception
    {
        try (Producer all = Producer.connect(clientCtx, new Producer.Config().acks(Acks.ALL).idempotent(true)))
        {
            final CompletableFuture<RecordMetadata> first = all.send(record("a"));
            pollFor(all, 300);
            broker.produceAgent().onPartitionChange(log.topicId(), 0, 0, 1, new int[]{leaderId}, 2);
            final CompletableFuture<RecordMetadata> second = all.send(record("b"));
            pollFor(all, 500);
            assertThat(first).as("retried, not failed").isNotDone();
            assertThat(second).isNotDone();

            broker.produceAgent().onPartitionChange(log.topicId(), 0, 0, 2, new int[]{leaderId, FOLLOWER_ID}, 2);
            pollFor(all, 300);
            followerCopy.setOrdered(log.recordedPosition());
            pollUntil(all, () -> first.isDone() && second.isDone());
            assertThat(first.get().offset()).as("the copy already written keeps its offset").isZero();
            assertThat(second.get().offset()).isEqualTo(1);
            assertThat(log.logEndOffset()).as("each written once").isEqualTo(2);
        }
    }

    @Test
    void proposesToShrinkAFollowerThatStopsReporting() throws Exception
    {
        followerCopy.setOrdered(log.recordedPosition());
        // Reporting at the leader's end, caught up: no shrink proposed over twice the lag time.
        Awaitility.await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(5)).until(proposals::isEmpty);

        CloseHelper.quietClose(followerRunners[0]);
        await(() -> !proposals.isEmpty());
        assertThat(proposals.poll()).containsExactly(leaderId);

        // The controller agrees; the follower comes back at the high watermark and is proposed for the set again.
        broker.produceAgent().onPartitionChange(log.topicId(), 0, 0, 1, new int[]{leaderId}, 1);
        proposals.clear();
        startFollower(0, FOLLOWER_ID, NodeSecret.of(SECRET), followerCounters, portBase + 30);
        await(() -> proposals.stream().anyMatch((isr) -> 2 == isr.length));
    }

    @Test
    void answersPendingBatchesNotLeaderWhenSteppingDown() throws Exception
    {
        // The producer takes NOT_LEADER_OR_FOLLOWER as a leader change and retries; with no leader anywhere it
        // fails the batch once its delivery timeout passes, so the pending batch was answered, not forgotten.
        try (Producer all = Producer.connect(clientCtx, new Producer.Config().acks(Acks.ALL).deliveryTimeoutMs(3000)))
        {
            final CompletableFuture<RecordMetadata> pending = all.send(record("a"));
            pollFor(all, 300);
            assertThat(pending).isNotDone();
            broker.produceAgent().removeLog(log);
            pollUntil(all, pending::isDone);
            assertThat(pending).isCompletedExceptionally();
        }
    }

    @Test
    void dropsAndCountsAnUnauthenticatedHelloAReportFromAnUnboundImageAndMalformedFrames() throws Exception
    {
        final ReplicaCounters leaderCounters = broker.replicaCounters();
        // A replica's id with the wrong secret: its hello fails, its reports of a copy far ahead are dropped.
        try (ReplicaCounters impostorCounters = new ReplicaCounters(followerAeron, 99);
            Counter impostorCopy = followerAeron.addCounter(1099, "impostor copy");
            Producer all = Producer.connect(clientCtx, new Producer.Config().acks(Acks.ALL)))
        {
            impostorCopy.setOrdered(1L << 40);
            startFollower(1, FOLLOWER_ID, NodeSecret.of("not-the-cluster-secret-at-all-0000"), impostorCounters,
                portBase + 40).follow(log.topicId(), 0, leaderId, "127.0.0.1", portBase, 0, impostorCopy.id());
            final CompletableFuture<RecordMetadata> pending = all.send(record("a"));
            await(() -> leaderCounters.unauthenticated.get() >= 3);
            pollFor(all, 300);
            assertThat(pending).as("an impostor's report does not count").isNotDone();

            // A report straight onto the leader's replica port, with no hello before it.
            try (Publication raw = followerAeron.addPublication(
                ReplicaChannel.channel("127.0.0.1", portBase), StreamIds.REPLICA_CHANNEL))
            {
                await(raw::isConnected);
                final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocate(256));
                final ReplicaPositionEncoder report = new ReplicaPositionEncoder();
                report.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder()).brokerId(FOLLOWER_ID).brokerEpoch(0)
                    .partitionsCount(1).next().topicId(log.topicId()).partition(0).leaderEpoch(0)
                    .recordedPosition(1L << 40);
                final long unauthenticatedBefore = leaderCounters.unauthenticated.get();
                await(() -> raw.offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + report.encodedLength()) > 0);
                await(() -> leaderCounters.unauthenticated.get() > unauthenticatedBefore);

                final long rejectedBefore = leaderCounters.rejectedFrames.get();
                buffer.setMemory(0, 40, (byte)0x7f);
                await(() -> raw.offer(buffer, 0, 40) > 0);
                buffer.putShort(4, (short)104, java.nio.ByteOrder.LITTLE_ENDIAN); // our schema, a bad template
                await(() -> raw.offer(buffer, 0, 40) > 0);
                await(() -> leaderCounters.rejectedFrames.get() >= rejectedBefore + 2);
            }
            pollFor(all, 200);
            assertThat(pending).isNotDone();

            followerCopy.setOrdered(log.recordedPosition());
            pollUntil(all, pending::isDone);
            assertThat(pending.get().offset()).as("the real follower's report still counts").isZero();
        }
    }

    private ReplicaChannel startFollower(
        final int slot, final int brokerId, final NodeSecret secret, final ReplicaCounters counters, final int base)
    {
        final ReplicaChannel channel = new ReplicaChannel(followerAeron, brokerId, "127.0.0.1", base, secret, counters,
            (followerId, topicId, partition, leaderEpoch, position) -> {},
            (leader, topicId, partition, leaderEpoch, hwPosition, hwOffset, logStartOffset, logStartPosition) ->
                followerSeenHighWatermark.set(hwOffset));
        followerRunners[slot] = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null,
            new Agent()
            {
                public int doWork()
                {
                    return channel.poll() + channel.send(System.currentTimeMillis());
                }

                public void onClose()
                {
                    channel.close();
                }

                public String roleName()
                {
                    return "test-follower-" + brokerId;
                }
            });
        AgentRunner.startOnThread(followerRunners[slot]);
        if (0 == slot)
        {
            channel.follow(log.topicId(), 0, leaderId, "127.0.0.1", portBase, 0, followerCopy.id());
        }
        return channel;
    }

    private static ProducerRecord record(final String value)
    {
        return new ProducerRecord("t", 0, -1, null, value.getBytes(StandardCharsets.UTF_8), List.of());
    }

    private static ErrorCode codeOf(final CompletableFuture<RecordMetadata> future) throws InterruptedException
    {
        try
        {
            future.get();
            return fail("expected a failure");
        }
        catch (final ExecutionException ex)
        {
            return ((AerologException)ex.getCause()).code();
        }
    }

    private static void pollFor(final Producer producer, final long ms) throws InterruptedException
    {
        final long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end)
        {
            producer.poll();
            Thread.sleep(1);
        }
    }

    private static void pollUntil(final Producer producer, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long end = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean())
        {
            assertThat(System.currentTimeMillis()).as("in time").isLessThan(end);
            producer.poll();
            Thread.sleep(1);
        }
    }

    private static void await(final BooleanSupplier condition)
    {
        final long end = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean())
        {
            assertThat(System.currentTimeMillis()).as("in time").isLessThan(end);
            Thread.onSpinWait();
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }
}
