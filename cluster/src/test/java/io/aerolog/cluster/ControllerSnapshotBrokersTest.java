package io.aerolog.cluster;

import io.aerolog.cluster.registry.BrokerRegistry;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.cluster.BrokerState;
import io.aerolog.codecs.cluster.ControllerSnapshotHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ControllerSnapshotBrokersTest
{
    @Test
    void shouldSnapshotAndRestoreBrokersWithTheirDeadlinesAndEpochCounter()
    {
        final ControllerState state = new ControllerState();
        state.createTopic("a", 2, -1, -1, 0);
        final BrokerRegistry brokers = new BrokerRegistry(10, 1500);
        brokers.register(3, "host-c", 9290, 100);
        brokers.register(1, "host-a", 9090, 200);
        brokers.register(3, "host-c", 9390, 300); // epoch 3
        brokers.register(2, "host-b", 9190, 400);
        brokers.controlledShutdown(2, 4);
        brokers.fenceExpired(1700, (broker) -> { }); // broker 1 fenced

        final List<DirectBuffer> messages = write(state, brokers);
        final BrokerRegistry restored = new BrokerRegistry(10, 1500);
        load(messages, restored);

        assertThat(restored.lastBrokerEpoch()).isEqualTo(4);
        assertThat(restored.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++)
        {
            assertThat(restored.brokerAt(i)).usingRecursiveComparison().isEqualTo(brokers.brokerAt(i));
        }
        assertThat(restored.broker(1).state()).isEqualTo(BrokerState.FENCED);
        assertThat(restored.broker(2).isCleanShutdown()).isTrue();
        assertThat(restored.broker(3).deadlineMs()).isEqualTo(1800);
        assertThat(restored.nextDeadlineMs()).isEqualTo(1800);
        assertThat(restored.register(5, "e", 9090, 0)).isZero();
        assertThat(restored.lastBroker().brokerEpoch()).isEqualTo(5);
    }

    @Test
    void shouldLoadAHeaderWrittenBeforeBrokersWithNone()
    {
        final ControllerState state = new ControllerState();
        state.createTopic("a", 1, -1, -1, 0);
        final List<DirectBuffer> messages = write(state, null);

        // The header as an earlier version 4 writer made it: the block ends after the ACL count.
        final DirectBuffer header = messages.get(0);
        final int shortBlock = ControllerSnapshotHeaderDecoder.aclCountEncodingOffset() + 4;
        final UnsafeBuffer shortHeader = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH + shortBlock]);
        shortHeader.putBytes(0, header, 0, shortHeader.capacity());
        new MessageHeaderEncoder().wrap(shortHeader, 0).blockLength(shortBlock);
        assertThat(new MessageHeaderDecoder().wrap(shortHeader, 0).version()).isEqualTo(4);
        messages.set(0, shortHeader);

        final BrokerRegistry restored = new BrokerRegistry(10, 1500);
        restored.register(1, "stale", 9090, 0); // replaced by the (empty) snapshot
        final ControllerState restoredState = new ControllerState();
        final ControllerSnapshot.Loader loader = load(messages, restored, restoredState);
        assertThat(loader.isComplete()).isTrue();
        assertThat(restored.size()).isZero();
        assertThat(restored.lastBrokerEpoch()).isZero();
        assertThat(restoredState.topics()).isEqualTo(state.topics());
    }

    private static List<DirectBuffer> write(final ControllerState state, final BrokerRegistry brokers)
    {
        final List<DirectBuffer> messages = new ArrayList<>();
        new ControllerSnapshot.Writer(new TopicEventCodec()).write(state, null, null, null, brokers,
            (buffer, offset, length) ->
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                messages.add(new UnsafeBuffer(copy));
            });
        return messages;
    }

    private static void load(final List<DirectBuffer> messages, final BrokerRegistry brokers)
    {
        load(messages, brokers, new ControllerState());
    }

    private static ControllerSnapshot.Loader load(
        final List<DirectBuffer> messages, final BrokerRegistry brokers, final ControllerState state)
    {
        final ControllerSnapshot.Loader loader = new ControllerSnapshot.Loader(new TopicEventCodec());
        for (final DirectBuffer message : messages)
        {
            loader.onFragment(message, 0, message.capacity(), null);
        }
        loader.restoreInto(state, null, null, null, brokers);
        return loader;
    }
}
