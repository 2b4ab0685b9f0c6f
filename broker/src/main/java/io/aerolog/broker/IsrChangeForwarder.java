package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.cluster.ControllerClient;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.wire.ErrorCode;
import io.aeron.exceptions.AeronException;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Carries the produce agent's in-sync set proposals to the controller: each is handed to the conductor's thread,
 * which sends {@code AlterPartition} with this broker's current registration epoch and each proposed member's broker
 * epoch as the {@link ClusterView} knows it (-1 where unknown), and recognises the answer by its correlation id.
 * <p>
 * An accepted proposal needs nothing more here: the controller's {@code PartitionChangeEvent} reaches the conductor
 * like any other change. A refused one is counted and reported to the {@link RefusalListener} (the produce agent),
 * which stops counting the proposed additions and proposes again from its own state. A proposal that cannot be sent
 * (not registered, no controller, back pressure) is dropped: the produce agent proposes again after
 * {@code replica.lag.time.max.ms} while still needed.
 * <p>
 * {@link #onIsrChangeProposed} runs on the produce agent's thread; everything else on the conductor's. Proposals are
 * rare (at most one per partition per lag time), so handing each off as a command is cheap enough.
 */
final class IsrChangeForwarder implements IsrChangeListener
{
    private static final int NONE = ErrorCode.NONE.value();
    private static final long NO_REQUEST = Long.MIN_VALUE;

    /** A proposal sent and not answered yet. */
    private record Pending(long partitionKey, int topicId, int partition, int leaderEpoch, int partitionEpoch, int[] isr)
    {
    }

    /** Told of a refused proposal (on the conductor's thread). */
    @FunctionalInterface
    interface RefusalListener
    {
        /**
         * @param topicId        of the partition.
         * @param partition      number.
         * @param leaderEpoch    the epoch the proposal was made in.
         * @param partitionEpoch the partition epoch it was made on.
         */
        void onIsrChangeRefused(int topicId, int partition, int leaderEpoch, int partitionEpoch);
    }

    private final int brokerId;
    private final Consumer<Runnable> conductor;
    private final ClusterView cluster;
    private final LongSupplier brokerEpoch;
    private final Supplier<ControllerClient> controller;
    private final LongSupplier correlationIds;
    private final AtomicCounter refused;
    private final RefusalListener refusals;
    private final Long2ObjectHashMap<Pending> byCorrelationId = new Long2ObjectHashMap<>();
    // At most one request per partition is tracked: a newer proposal supersedes one still unanswered.
    private final Long2LongHashMap correlationIdByPartition = new Long2LongHashMap(NO_REQUEST);
    private long sent;

    /**
     * @param brokerId       this broker's id (the proposing leader).
     * @param conductor      runs a command on the conductor's thread.
     * @param cluster        the conductor's view of the cluster, for the members' broker epochs.
     * @param brokerEpoch    this broker's current registration epoch, 0 while not registered.
     * @param controller     the current controller client.
     * @param correlationIds hands out the conductor's controller correlation ids.
     * @param refused        counts refused proposals (written by the conductor's thread only).
     * @param refusals       told of each refused proposal (the produce agent, so it stops counting the additions).
     */
    IsrChangeForwarder(
        final int brokerId,
        final Consumer<Runnable> conductor,
        final ClusterView cluster,
        final LongSupplier brokerEpoch,
        final Supplier<ControllerClient> controller,
        final LongSupplier correlationIds,
        final AtomicCounter refused,
        final RefusalListener refusals)
    {
        this.brokerId = brokerId;
        this.conductor = conductor;
        this.cluster = cluster;
        this.brokerEpoch = brokerEpoch;
        this.controller = controller;
        this.correlationIds = correlationIds;
        this.refused = refused;
        this.refusals = refusals;
    }

    /** Produce agent's thread: hands the proposal to the conductor. */
    @Override
    public void onIsrChangeProposed(
        final int topicId, final int partition, final int leaderEpoch, final int partitionEpoch, final int[] isr)
    {
        conductor.accept(() -> send(topicId, partition, leaderEpoch, partitionEpoch, isr));
    }

    /**
     * Conductor's thread: sends a proposal to the controller.
     *
     * @return true if sent.
     */
    boolean send(
        final int topicId, final int partition, final int leaderEpoch, final int partitionEpoch, final int[] isr)
    {
        final long epoch = brokerEpoch.getAsLong();
        final ControllerClient client = controller.get();
        if (0 == epoch || null == client || client.isClosed())
        {
            return false; // proposed again after the lag time
        }
        final long[] isrEpochs = new long[isr.length];
        for (int i = 0; i < isr.length; i++)
        {
            final RegisteredBroker member = cluster.broker(isr[i]);
            isrEpochs[i] = null == member ? -1 : member.brokerEpoch();
        }
        final long correlationId = correlationIds.getAsLong();
        if (!client.alterPartition(
            correlationId, brokerId, epoch, topicId, partition, leaderEpoch, partitionEpoch, isr, isrEpochs))
        {
            return false; // back pressured: proposed again after the lag time
        }
        final long key = PartitionLog.key(topicId, partition);
        final long superseded = correlationIdByPartition.put(key, correlationId);
        if (NO_REQUEST != superseded)
        {
            byCorrelationId.remove(superseded);
        }
        byCorrelationId.put(correlationId, new Pending(key, topicId, partition, leaderEpoch, partitionEpoch, isr));
        sent++;
        return true;
    }

    /**
     * Conductor's thread: takes a controller answer if it is to one of this forwarder's requests.
     *
     * @param correlationId of the answer.
     * @param code          its {@link ErrorCode} value.
     * @param message       the controller's reason for a refusal, may be null.
     * @return true if it was this forwarder's.
     */
    boolean onCommandResult(final long correlationId, final int code, final String message)
    {
        final Pending pending = byCorrelationId.remove(correlationId);
        if (null == pending)
        {
            return false;
        }
        correlationIdByPartition.remove(pending.partitionKey);
        if (NONE != code)
        {
            refused.increment();
            // Refusals are expected in a race (the partition changed while the proposal travelled): counted, not
            // logged as errors; the produce agent proposes again from the new state.
            refusals.onIsrChangeRefused(pending.topicId, pending.partition, pending.leaderEpoch, pending.partitionEpoch);
        }
        return true;
    }

    /** @return proposals sent to the controller since start (conductor's thread). */
    long sent()
    {
        return sent;
    }

    /** @return proposals sent and not answered yet (conductor's thread). */
    int pending()
    {
        return byCorrelationId.size();
    }
}
