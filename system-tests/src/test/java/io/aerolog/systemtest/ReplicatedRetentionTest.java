package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;
import io.aerolog.client.TopicInfo;
import io.aerolog.client.TopicPartition;
import io.aerolog.cluster.ControllerState;
import io.aerolog.codecs.wire.Acks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.aerolog.systemtest.Records.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention on every replica: three nodes in JVMs of their own, a partition of replication factor 3 with a size
 * retention. The leader purges whole segments and every follower purges its copy to the same position, so each
 * replica keeps the same segments; a follower that was down while the leader purged past the end of its copy
 * starts its copy again from the leader's log start and rejoins the in-sync set; and after the leader's
 * {@code kill -9} the new leader serves from the same log start offset, every record above it there once.
 */
class ReplicatedRetentionTest
{
    private static final String TOPIC = "retained";
    private static final int STREAM_ID = ControllerState.FIRST_STREAM_ID; // the cluster's first topic, partition 0
    private static final int RECORD_BYTES = 1_000;
    private static final int RECORDS_PER_ROUND = 1_500; // ~1.5 MB: about six 256 KiB segments
    private static final long RETENTION_BYTES = 300_000;
    private static final Duration SETTLE = Duration.ofSeconds(30);

    @TempDir
    File dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldPurgeEveryReplicaToTheLeadersLogStart() throws Exception
    {
        final Properties settings = new Properties();
        settings.setProperty("retention.check.interval.ms", "200");
        try (ReplicatedCluster cluster = ReplicatedCluster.start(dir, 3, settings))
        {
            try (Admin admin = Admin.connect(cluster.clientContext()))
            {
                admin.createTopic(TOPIC, 1, -1, RETENTION_BYTES, false, 3, 2);
            }
            cluster.awaitFullyInSync(TOPIC, 0, SETTLE);
            produce(cluster, 0);
            final long firstStart = awaitSameStartEverywhere(cluster);

            // A follower down while the leader purges past the end of its copy: nothing of it can be extended. When
            // a follower leads the controller cluster, that one goes (the next producer's id waits out the election).
            final int leader = cluster.leaderOf(TOPIC, 0);
            final int controllerLeader = cluster.controllerLeader();
            final int follower = controllerLeader != leader ? controllerLeader : (leader + 1) % 3;
            cluster.kill9(follower);
            produce(cluster, RECORDS_PER_ROUND);
            produce(cluster, 2 * RECORDS_PER_ROUND);
            await().atMost(SETTLE).until(() -> cluster.recordingStartPosition(leader, STREAM_ID) >
                cluster.recordingStartPosition(follower, STREAM_ID) + 2L * TestBroker.SEGMENT_LENGTH);
            cluster.restart(follower);
            cluster.awaitFullyInSync(TOPIC, 0, SETTLE);
            final long secondStart = awaitSameStartEverywhere(cluster);
            assertThat(secondStart).isGreaterThan(firstStart);

            // The new leader serves from the log start every replica agrees on.
            final long logStart = cluster.describe(TOPIC).partitions().get(0).logStartOffset();
            cluster.kill9(leader);
            final int newLeader = cluster.awaitNewLeader(TOPIC, 0, leader, SETTLE);
            final TopicInfo.PartitionInfo described = await().atMost(SETTLE).until(
                () -> cluster.describe(TOPIC).partitions().get(0), (p) -> p.highWatermark() == 3L * RECORDS_PER_ROUND);
            assertThat(described.leader()).isEqualTo(newLeader);
            assertThat(described.logStartOffset()).isEqualTo(logStart);
            assertEveryRecordFrom(cluster, logStart);
        }
    }

    private static void produce(final ReplicatedCluster cluster, final int firstKey) throws Exception
    {
        final byte[] value = new byte[RECORD_BYTES - 40];
        final List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
        try (Producer producer = Producer.connect(cluster.clientContext(),
            new Producer.Config().acks(Acks.ALL).idempotent(true).lingerMs(2)))
        {
            for (int i = 0; i < RECORDS_PER_ROUND; i++)
            {
                final byte[] key = bytes("k" + (firstKey + i));
                acks.add(producer.send(new ProducerRecord(TOPIC, 0, -1, key, value, List.of())));
            }
            producer.flush();
        }
        for (int i = 0; i < acks.size(); i++)
        {
            assertThat(acks.get(i).get(30, TimeUnit.SECONDS).offset()).isEqualTo(firstKey + i);
        }
    }

    // Every replica's recording starts at the same position past 0: the followers purged to the leader's start.
    // (A failure shows each node's start position.)
    private static long awaitSameStartEverywhere(final ReplicatedCluster cluster)
    {
        final List<Long> starts = await().atMost(SETTLE).pollInterval(Duration.ofMillis(100)).until(() ->
        {
            final List<Long> positions = new ArrayList<>();
            for (int node = 0; node < cluster.size(); node++)
            {
                positions.add(cluster.recordingStartPosition(node, STREAM_ID));
            }
            return positions;
        }, (positions) -> positions.get(0) > 0 && positions.stream().distinct().count() == 1);
        return starts.get(0);
    }

    private static void assertEveryRecordFrom(final ReplicatedCluster cluster, final long logStart)
    {
        final TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (Consumer consumer = Consumer.connect(cluster.clientContext(),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assign(List.of(tp));
            assertThat(consumer.beginningOffsets(List.of(tp))).containsEntry(tp, logStart);
            consumer.seek(tp, 0);
            final List<ConsumerRecord> records =
                Records.consumeExactly(consumer, (int)(3L * RECORDS_PER_ROUND - logStart));
            Records.assertDense(records, logStart);
            for (final ConsumerRecord record : records)
            {
                assertThat(Records.text(record.key())).isEqualTo("k" + record.offset());
            }
        }
    }
}
