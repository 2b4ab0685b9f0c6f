package io.aerolog.systemtest;

import io.aerolog.client.Producer;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.systemtest.history.CheckReport;
import io.aerolog.systemtest.history.History;
import io.aerolog.systemtest.history.HistoryChecker;
import io.aerolog.testsupport.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The harness of the replication tests on its own: three broker+controller nodes in JVMs of their own form a
 * cluster, a topic of replication factor 1 is produced and consumed through the broker that leads its partition
 * with every send and read recorded, the checker passes the history, and the node survives a {@code kill -9} and a
 * restart on its directories with nothing acknowledged lost.
 */
class ReplicatedClusterTest
{
    @TempDir
    File dir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldProduceConsumeAndCheckAHistoryThroughAKillAndARestart() throws Exception
    {
        try (ReplicatedCluster cluster = ReplicatedCluster.start(dir, 3))
        {
            assertThat(cluster.bootstrap()).matches("localhost:\\d+,localhost:\\d+,localhost:\\d+");
            final int controllerLeader = cluster.controllerLeader();
            assertThat(controllerLeader).isBetween(0, 2);
            for (int node = 0; node < 3; node++)
            {
                assertThat(cluster.process(node).isAlive()).isTrue();
                assertThat(cluster.process(node).lines()).contains(BrokerProcess.READY);
            }

            final String topic = "harness";
            cluster.createTopic(topic, 1, 1, 1);
            final int leader = cluster.leaderOf(topic, 0);
            assertThat(leader).isBetween(0, 2);
            final History history = new History();
            final Producer.Config config = new Producer.Config().acks(Acks.ALL).idempotent(true)
                .deliveryTimeoutMs(30_000);

            try (HistoryWorkload before = new HistoryWorkload(history, "before", topic, 1,
                () -> cluster.clientContext(leader), config, 500).start(2))
            {
                before.awaitAcks(300, Duration.ofSeconds(60));
                before.stop();
                before.drain(cluster.clientContext(leader), Duration.ofSeconds(30));
            }
            final CheckReport first = new HistoryChecker().check(history).assertValid();
            assertThat(first.sends(io.aerolog.systemtest.history.Send.Outcome.ACKED)).isGreaterThanOrEqualTo(300);

            final long pidBefore = cluster.process(leader).pid();
            cluster.kill9(leader);
            assertThat(cluster.state(leader)).isEqualTo(ReplicatedCluster.State.KILLED);
            cluster.awaitControllerLeader(Duration.ofSeconds(30)); // the other two keep (or elect) a leader
            cluster.restart(leader);
            assertThat(cluster.process(leader).pid()).isNotEqualTo(pidBefore);
            assertThat(cluster.state(leader)).isEqualTo(ReplicatedCluster.State.RUNNING);

            try (HistoryWorkload after = new HistoryWorkload(history, "after", topic, 1,
                () -> cluster.clientContext(leader), config, 500).start(1))
            {
                after.awaitAcks(100, Duration.ofSeconds(60));
                after.stop();
                after.drain(cluster.clientContext(leader), Duration.ofSeconds(30));
            }
            final CheckReport report = new HistoryChecker().check(history).assertValid();
            assertThat(report.sends(io.aerolog.systemtest.history.Send.Outcome.ACKED))
                .isGreaterThanOrEqualTo(first.sends(io.aerolog.systemtest.history.Send.Outcome.ACKED) + 100);

            // The pause / resume and clean stop paths of the harness.
            final int other = (leader + 1) % 3;
            cluster.pause(other);
            assertThat(cluster.state(other)).isEqualTo(ReplicatedCluster.State.PAUSED);
            cluster.resume(other);
            cluster.stop(other);
            assertThat(cluster.process(other).isAlive()).isFalse();
        }
    }
}
