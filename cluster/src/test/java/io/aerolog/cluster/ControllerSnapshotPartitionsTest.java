package io.aerolog.cluster;

import io.aerolog.cluster.registry.BrokerRegistry;
import io.aerolog.cluster.replication.PartitionReplicas;
import io.aerolog.codecs.cluster.ControllerSnapshotHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.sequencer.PartitionElection;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ControllerSnapshotPartitionsTest
{
    private static final PartitionReplicas.ChangeListener IGNORE = (topicId, partition, minIsr, state) -> { };

    @Test
    void shouldSnapshotAndRestoreEveryPartitionState()
    {
        final ControllerState state = new ControllerState();
        state.createTopic("a", 3, -1, -1, 0);
        state.createTopic("b", 1, -1, -1, 0);
        final PartitionReplicas replicas = new PartitionReplicas();
        replicas.create(1, 3, 3, 2, new int[]{ 1, 2, 3 }, IGNORE);
        replicas.create(2, 1, 2, 1, new int[]{ 1, 2, 3 }, IGNORE);
        replicas.onBrokerFenced(2, true, (id) -> id == 2, IGNORE);

        final List<DirectBuffer> messages = write(state, replicas);
        final PartitionReplicas restored = new PartitionReplicas();
        load(messages, restored);

        assertThat(restored.partitionCount()).isEqualTo(4);
        assertThat(restored.minInsyncReplicas(1)).isEqualTo(2);
        assertThat(restored.minInsyncReplicas(2)).isEqualTo(1);
        for (int p = 0; p < 3; p++)
        {
            assertThat(restored.state(1, p).toString()).isEqualTo(replicas.state(1, p).toString());
        }
        assertThat(restored.state(2, 0).toString()).isEqualTo(replicas.state(2, 0).toString());
        assertThat(restored.state(1, 0).leaderEpoch()).as("broker 2 led partition 0 and was fenced").isEqualTo(1);
    }

    @Test
    void shouldLoadAHeaderWrittenBeforePartitionStatesWithOneReplicaOnBrokerZero()
    {
        final ControllerState state = new ControllerState();
        state.createTopic("a", 2, -1, -1, 0);
        final List<DirectBuffer> messages = write(state, null);

        // The header as an earlier version 4 writer made it: the block ends after the broker epoch counter.
        final DirectBuffer header = messages.get(0);
        final int shortBlock = ControllerSnapshotHeaderDecoder.lastBrokerEpochEncodingOffset() + 8;
        final UnsafeBuffer shortHeader = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH + shortBlock]);
        shortHeader.putBytes(0, header, 0, shortHeader.capacity());
        new MessageHeaderEncoder().wrap(shortHeader, 0).blockLength(shortBlock);
        messages.set(0, shortHeader);

        final PartitionReplicas restored = new PartitionReplicas();
        restored.create(7, 1, 1, 1, new int[]{ 5 }, IGNORE); // replaced by the snapshot's
        load(messages, restored);
        assertThat(restored.partitionCount()).isEqualTo(2);
        assertThat(restored.state(7, 0)).isNull();
        for (int p = 0; p < 2; p++)
        {
            final PartitionElection.State partition = restored.state(1, p);
            assertThat(partition.replicas()).containsExactly(0);
            assertThat(partition.isr()).containsExactly(0);
            assertThat(partition.leader()).isZero();
        }
    }

    private static List<DirectBuffer> write(final ControllerState state, final PartitionReplicas replicas)
    {
        final List<DirectBuffer> messages = new ArrayList<>();
        new ControllerSnapshot.Writer(new TopicEventCodec()).write(state, null, null, null,
            new BrokerRegistry(10, 1500), replicas, (buffer, offset, length) ->
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                messages.add(new UnsafeBuffer(copy));
            });
        return messages;
    }

    private static void load(final List<DirectBuffer> messages, final PartitionReplicas replicas)
    {
        final ControllerSnapshot.Loader loader = new ControllerSnapshot.Loader(new TopicEventCodec());
        for (final DirectBuffer message : messages)
        {
            loader.onFragment(message, 0, message.capacity(), null);
        }
        assertThat(loader.isComplete()).isTrue();
        loader.restoreInto(new ControllerState(), null, null, null, new BrokerRegistry(10, 1500), replicas);
    }
}
