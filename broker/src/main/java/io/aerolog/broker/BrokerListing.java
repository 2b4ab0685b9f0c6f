package io.aerolog.broker;

import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.cluster.BrokerState;
import io.aerolog.codecs.wire.BrokerListEncoder;
import io.aerolog.codecs.wire.BrokerStatus;
import io.aerolog.codecs.wire.ErrorCode;
import org.agrona.collections.Int2IntHashMap;

import java.util.List;

/**
 * Answers {@code ListBrokers} from the {@link ClusterView}: every broker the controller registered, where its client
 * ingress is, whether it is alive, and how many partitions it leads. Clients bootstrap from one broker and find the
 * others here. Conductor thread.
 */
final class BrokerListing
{
    private final ClusterView cluster;
    private final Answers answers;
    private final BrokerListEncoder encoder = new BrokerListEncoder();
    private final Int2IntHashMap ledByBroker = new Int2IntHashMap(0);

    BrokerListing(final ClusterView cluster, final Answers answers)
    {
        this.cluster = cluster;
        this.answers = answers;
    }

    void onListBrokers(final ClientSession session, final long correlationId)
    {
        ledByBroker.clear();
        for (final ClusterView.PartitionView view : cluster.partitions())
        {
            final int leader = view.state().leader();
            ledByBroker.put(leader, ledByBroker.get(leader) + 1);
        }
        final List<RegisteredBroker> brokers = cluster.brokers();
        encoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
            .correlationId(correlationId)
            .code(ErrorCode.NONE)
            .brokerId(cluster.localBrokerId());
        final BrokerListEncoder.BrokersEncoder entries = encoder.brokersCount(brokers.size());
        for (final RegisteredBroker broker : brokers)
        {
            entries.next()
                .brokerId(broker.brokerId())
                .portBase(broker.portBase())
                .status(status(broker.state()))
                .partitionsLed(ledByBroker.get(broker.brokerId()))
                .host(broker.host());
        }
        encoder.message("");
        answers.send(session, encoder.encodedLength());
    }

    private static BrokerStatus status(final BrokerState state)
    {
        switch (state)
        {
            case UNFENCED:
                return BrokerStatus.ALIVE;
            case SHUT_DOWN:
                return BrokerStatus.SHUT_DOWN;
            default:
                return BrokerStatus.FENCED;
        }
    }
}
