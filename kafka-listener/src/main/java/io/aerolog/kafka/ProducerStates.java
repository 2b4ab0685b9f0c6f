package io.aerolog.kafka;

import org.apache.kafka.common.protocol.Errors;

import java.util.HashMap;
import java.util.Map;

/**
 * Kafka's idempotence rules for the batches Kafka producers send through this listener: per producer id and
 * partition, the epoch and the next sequence expected, and the last five batches with where they were written, so
 * that a retried batch is answered with its original offset instead of being written again (as Kafka's broker keeps
 * {@code NUM_BATCHES_TO_RETAIN = 5}). The state lives as long as the listener: a producer it has not seen is
 * accepted from any sequence, as Kafka accepts one whose state expired. Listener thread only.
 */
final class ProducerStates
{
    static final int BATCHES_RETAINED = 5;

    /** What to do with a batch. */
    enum Verdict
    {
        /** Write it. */
        APPEND,
        /** Written before: answer with {@link Check#baseOffset}. */
        DUPLICATE,
        /** Refuse it with {@link Check#error}. */
        REFUSE
    }

    /** The outcome of {@link #check}; one instance reused. */
    static final class Check
    {
        Verdict verdict;
        Errors error;
        long baseOffset;
        String message;
    }

    private record Key(long producerId, String topic, int partition)
    {
    }

    private static final class State
    {
        short epoch;
        int nextSequence;
        final int[] firstSequences = new int[BATCHES_RETAINED];
        final int[] lastSequences = new int[BATCHES_RETAINED];
        final long[] baseOffsets = new long[BATCHES_RETAINED];
        int count;
        int head;

        void reset(final short epoch)
        {
            this.epoch = epoch;
            count = 0;
            head = 0;
        }

        void add(final int first, final int last)
        {
            firstSequences[head] = first;
            lastSequences[head] = last;
            baseOffsets[head] = -1;
            head = (head + 1) % BATCHES_RETAINED;
            count = Math.min(BATCHES_RETAINED, count + 1);
            nextSequence = last + 1;
        }

        int find(final int first, final int last)
        {
            for (int i = 0; i < count; i++)
            {
                if (firstSequences[i] == first && lastSequences[i] == last)
                {
                    return i;
                }
            }
            return -1;
        }
    }

    private final Map<Key, State> states = new HashMap<>();
    private final Check check = new Check();

    /**
     * Checks a batch and, if it is to be written, reserves its sequences.
     *
     * @param producerId    of the batch (at least 0).
     * @param epoch         of the batch.
     * @param topic         it goes to.
     * @param partition     it goes to.
     * @param firstSequence its base sequence.
     * @param lastSequence  its last sequence.
     * @return the verdict (reused: read it before the next call).
     */
    Check check(
        final long producerId,
        final short epoch,
        final String topic,
        final int partition,
        final int firstSequence,
        final int lastSequence)
    {
        check.error = Errors.NONE;
        check.baseOffset = -1;
        check.message = null;
        final Key key = new Key(producerId, topic, partition);
        State state = states.get(key);
        if (null == state)
        {
            state = new State();
            state.reset(epoch);
            states.put(key, state);
            state.add(firstSequence, lastSequence);
            check.verdict = Verdict.APPEND;
            return check;
        }
        if (epoch < state.epoch)
        {
            return refuse(Errors.INVALID_PRODUCER_EPOCH, "epoch " + epoch + " is older than the producer's " +
                state.epoch);
        }
        if (epoch > state.epoch)
        {
            if (0 != firstSequence)
            {
                return refuse(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "a new epoch starts at sequence 0, not " +
                    firstSequence);
            }
            state.reset(epoch);
            state.add(firstSequence, lastSequence);
            check.verdict = Verdict.APPEND;
            return check;
        }
        final int earlier = state.find(firstSequence, lastSequence);
        if (earlier >= 0)
        {
            check.verdict = Verdict.DUPLICATE;
            check.baseOffset = state.baseOffsets[earlier]; // -1 while the first copy is still in flight
            return check;
        }
        if (firstSequence != state.nextSequence)
        {
            return refuse(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "expected sequence " + state.nextSequence +
                ", got " + firstSequence);
        }
        state.add(firstSequence, lastSequence);
        check.verdict = Verdict.APPEND;
        return check;
    }

    /**
     * Records where an appended batch was written, or, if it failed, gives its sequences back.
     *
     * @param producerId    of the batch.
     * @param epoch         of the batch.
     * @param topic         it went to.
     * @param partition     it went to.
     * @param firstSequence its base sequence.
     * @param lastSequence  its last sequence.
     * @param baseOffset    where it was written, or -1 if it was not.
     */
    void onAppended(
        final long producerId,
        final short epoch,
        final String topic,
        final int partition,
        final int firstSequence,
        final int lastSequence,
        final long baseOffset)
    {
        final State state = states.get(new Key(producerId, topic, partition));
        if (null == state || state.epoch != epoch)
        {
            return;
        }
        final int index = state.find(firstSequence, lastSequence);
        if (index < 0)
        {
            return;
        }
        if (baseOffset >= 0)
        {
            state.baseOffsets[index] = baseOffset;
        }
        else if (state.nextSequence == lastSequence + 1)
        {
            // Nothing written: the producer may send these sequences again (its own reset after an error).
            state.nextSequence = firstSequence;
            state.firstSequences[index] = -1;
            state.lastSequences[index] = -1;
        }
    }

    private Check refuse(final Errors error, final String message)
    {
        check.verdict = Verdict.REFUSE;
        check.error = error;
        check.message = message;
        return check;
    }
}
