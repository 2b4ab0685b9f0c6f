package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.sequencer.PartitionElection;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayList;
import java.util.List;

/**
 * A clean stop that first moves this broker's leaderships away (Kafka's controlled shutdown). Begun on the
 * conductor's thread while the broker still runs: when the controller's view ({@link ClusterView}) shows this broker
 * leading a replicated partition, or in the in-sync set of one beside other members, {@link BrokerRegistration}
 * asks the controller to shut it down (the controller fences it, elects new leaders from the in-sync sets and drops
 * it from every in-sync set it is not the last member of). It is complete once the controller answered, the view
 * shows this broker leading no replicated partition and in no shared in-sync set, the produce agent has let go
 * of every log it led (its pending batches answered {@code NOT_LEADER_OR_FOLLOWER}, so producers re-send to the new
 * leader with their sequences), and each new leader has its epoch start agreed, so it takes writes (this node may
 * host the controller's leader, whose stop would otherwise hold that up until the controller fails over). Meanwhile every duty cycle runs as before. With nothing to move (replication factor
 * 1 only, a standalone broker, not registered) it is complete at once and the stop sends the controller one
 * shutdown without waiting, as before. The closing thread waits for {@link #isComplete()}, bounded by
 * {@code controlled.shutdown.timeout.ms}; {@link #report()} says what happened.
 * <b>Conductor thread</b>, but for the two volatile reads.
 */
final class ControlledShutdown
{
    /** How a controlled shutdown ended. */
    enum Outcome
    {
        /** Not begun, or still waiting. */
        PENDING,
        /** Nothing replicated was led or in sync here: no wait. */
        NOTHING_TO_MOVE,
        /** The controller moved every leadership and in-sync membership away. */
        COMPLETE,
        /** The controller refused it (it knows another registration of this broker): nothing to wait for. */
        REFUSED
    }

    private record Led(int topicId, int partition, int leaderEpoch, PartitionLog log)
    {
    }

    private final int brokerId;
    private final ClusterView cluster;
    private final TopicRegistry topics;
    private final BrokerRegistration registration;
    private final EpochClock clock;
    private final List<Led> led = new ArrayList<>();
    private boolean begun;
    private long beginMs;
    private int inSyncSets;
    private volatile Outcome outcome = Outcome.PENDING;
    private volatile String report = "controlled shutdown not begun";

    ControlledShutdown(
        final int brokerId,
        final ClusterView cluster,
        final TopicRegistry topics,
        final BrokerRegistration registration,
        final EpochClock clock)
    {
        this.brokerId = brokerId;
        this.cluster = cluster;
        this.topics = topics;
        this.registration = registration;
        this.clock = clock;
    }

    /** Begins it (conductor thread): decides whether anything must move and, if so, asks the controller. */
    void begin()
    {
        if (begun)
        {
            return;
        }
        begun = true;
        beginMs = clock.time();
        for (final ClusterView.PartitionView view : cluster.partitions())
        {
            final PartitionElection.State state = view.state();
            if (state.replicas().length < 2)
            {
                continue; // replication factor 1: nobody else can lead it
            }
            if (view.isLedBy(brokerId))
            {
                led.add(new Led(view.topicId(), view.partition(), state.leaderEpoch(),
                    topics.log(view.topicId(), view.partition())));
            }
            else if (isSharedInSyncMember(state))
            {
                inSyncSets++;
            }
        }
        if ((led.isEmpty() && 0 == inSyncSets) || !registration.beginControlledShutdown())
        {
            finish(Outcome.NOTHING_TO_MOVE, "controlled shutdown of broker " + brokerId + ": nothing to move");
        }
    }

    /**
     * Checks whether it completed (conductor thread, each duty cycle; nothing to do unless begun).
     *
     * @return work done.
     */
    int doWork()
    {
        if (!begun || Outcome.PENDING != outcome)
        {
            return 0;
        }
        final int code = registration.shutdownCode();
        if (BrokerRegistration.NO_ANSWER == code)
        {
            return 0;
        }
        if (ErrorCode.NONE.value() != code)
        {
            finish(Outcome.REFUSED, "controlled shutdown of broker " + brokerId + " refused by the controller (" +
                ErrorCode.get((short)code) + ") after " + (clock.time() - beginMs) + " ms");
            return 1;
        }
        for (final ClusterView.PartitionView view : cluster.partitions())
        {
            final PartitionElection.State state = view.state();
            if (state.replicas().length > 1 && (view.isLedBy(brokerId) || isSharedInSyncMember(state)))
            {
                return 0; // the controller's changes come right after its answer
            }
        }
        for (final Led partition : led)
        {
            if (null != partition.log() && !partition.log().isDetached())
            {
                return 0; // the produce agent has not let it go yet (it answers what is pending as it does)
            }
            if (!isServedElsewhere(partition))
            {
                return 0; // the new leader has not registered its epoch start: it cannot take writes yet
            }
        }
        finish(Outcome.COMPLETE, completeReport());
        return 1;
    }

    /** @return whether it ended (any thread): the stop may go on. */
    boolean isComplete()
    {
        return Outcome.PENDING != outcome;
    }

    /** @return how it ended so far (any thread). */
    Outcome outcome()
    {
        return outcome;
    }

    /** @return what happened, one line (any thread). */
    String report()
    {
        return report;
    }

    private String completeReport()
    {
        final StringBuilder sb = new StringBuilder("controlled shutdown of broker ").append(brokerId)
            .append(" complete in ").append(clock.time() - beginMs).append(" ms:");
        String separator = " ";
        for (final Led partition : led)
        {
            final ClusterView.PartitionView view = cluster.partition(partition.topicId(), partition.partition());
            final TopicRegistry.TopicState topic = topics.byId(partition.topicId());
            sb.append(separator)
                .append(null == topic ? "topic " + partition.topicId() : topic.metadata.name())
                .append('-').append(partition.partition());
            if (null == view || PartitionElection.NO_LEADER == view.state().leader())
            {
                sb.append(" offline");
            }
            else
            {
                sb.append(" led by ").append(view.state().leader())
                    .append(" at epoch ").append(view.state().leaderEpoch());
            }
            separator = ", ";
        }
        return sb.append(led.isEmpty() ? " " : "; ").append("left ").append(inSyncSets)
            .append(" other in-sync sets").toString();
    }

    // The new leader serves once its epoch start is agreed. Waited for because this node may host the controller's
    // leader: stopping before that commit would leave the partition unserved until the controller fails over.
    private boolean isServedElsewhere(final Led partition)
    {
        final ClusterView.PartitionView view = cluster.partition(partition.topicId(), partition.partition());
        if (null == view || PartitionElection.NO_LEADER == view.state().leader())
        {
            return true; // offline: nobody in sync is live to take it
        }
        final ClusterView.LeaderEpochs epochs = cluster.leaderEpochs(partition.topicId(), partition.partition());
        return null != epochs && epochs.history().lastEpoch() >= view.state().leaderEpoch();
    }

    private void finish(final Outcome how, final String line)
    {
        report = line;
        outcome = how; // last: a reader that sees the outcome sees the report
    }

    // In the in-sync set beside others: the controller drops it there, so acks=all stops waiting for it.
    private boolean isSharedInSyncMember(final PartitionElection.State state)
    {
        if (state.isr().length < 2)
        {
            return false;
        }
        for (final int member : state.isr())
        {
            if (member == brokerId)
            {
                return true;
            }
        }
        return false;
    }
}
