package io.aerolog.systemtest.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges a {@link History} of one topic against the promises of a partitioned log, as Jepsen's checkers do:
 * <ul>
 *     <li>{@link Anomaly.Kind#LOST}: every acknowledged record is read;</li>
 *     <li>{@link Anomaly.Kind#DUPLICATE}: no value is acknowledged at, or read from, two positions;</li>
 *     <li>{@link Anomaly.Kind#GAP}: offsets are dense: every offset from the log start up to the highest one read
 *     was read by some consumer;</li>
 *     <li>{@link Anomaly.Kind#INCONSISTENT}: a position holds one value for everyone who saw it (reads and
 *     acknowledgements);</li>
 *     <li>{@link Anomaly.Kind#NON_MONOTONIC}: one consumer incarnation reads each partition at consecutive offsets,
 *     never going backwards nor skipping;</li>
 *     <li>{@link Anomaly.Kind#PHANTOM}: every value read was sent;</li>
 *     <li>{@link Anomaly.Kind#ABORTED_READ}: no value whose send definitely failed is read.</li>
 * </ul>
 * A record whose send is unknown (or unanswered) may be read or not, but at one position only. Pure: no I/O, no
 * clock; the caller makes sure the final reads reached the log's end (a drain after the faults healed).
 */
public final class HistoryChecker
{
    private final Map<Integer, Long> logStartOffsets = new HashMap<>();

    /**
     * Offsets below the log start (retention) need not be read: the density check starts there.
     *
     * @param partition      of the topic.
     * @param logStartOffset first offset the partition still holds (0 unless retention removed a prefix).
     * @return this.
     */
    public HistoryChecker logStart(final int partition, final long logStartOffset)
    {
        logStartOffsets.put(partition, logStartOffset);
        return this;
    }

    /**
     * @param history to judge.
     * @return every anomaly found, with counts of what the history holds.
     */
    public CheckReport check(final History history)
    {
        final List<Send> sends = history.sends();
        final List<Read> reads = history.reads();
        final Map<String, Send> sendByValue = new HashMap<>();
        for (final Send send : sends)
        {
            sendByValue.put(send.value(), send);
        }
        final Map<String, Set<Position>> readPositionsByValue = new HashMap<>();
        for (final Read read : reads)
        {
            readPositionsByValue.computeIfAbsent(read.value(), (v) -> new TreeSet<>()).add(read.position());
        }

        final List<Anomaly> anomalies = new ArrayList<>();
        checkPhantomsAndAbortedReads(reads, sendByValue, anomalies);
        checkLost(sends, readPositionsByValue, anomalies);
        checkDuplicates(sends, sendByValue, readPositionsByValue, anomalies);
        checkInconsistent(sends, reads, readPositionsByValue, anomalies);
        checkGaps(reads, anomalies);
        checkMonotonic(reads, anomalies);
        return new CheckReport(sends, reads.size(), anomalies);
    }

    private static void checkPhantomsAndAbortedReads(
        final List<Read> reads, final Map<String, Send> sendByValue, final List<Anomaly> anomalies)
    {
        final Set<String> reported = new LinkedHashSet<>();
        for (final Read read : reads)
        {
            final Send send = sendByValue.get(read.value());
            if (null == send)
            {
                if (reported.add(read.value()))
                {
                    anomalies.add(new Anomaly(Anomaly.Kind.PHANTOM, "'" + read.value() + "' read at " +
                        read.position() + " by " + read.consumer() + " was never sent"));
                }
            }
            else if (Send.Outcome.FAILED == send.outcome() && reported.add(read.value()))
            {
                anomalies.add(new Anomaly(Anomaly.Kind.ABORTED_READ, "'" + read.value() + "' read at " +
                    read.position() + " by " + read.consumer() + ", but its send by " + send.producer() +
                    " failed: " + send.detail()));
            }
        }
    }

    private static void checkLost(
        final List<Send> sends, final Map<String, Set<Position>> readPositionsByValue, final List<Anomaly> anomalies)
    {
        for (final Send send : sends)
        {
            if (Send.Outcome.ACKED == send.outcome() && !readPositionsByValue.containsKey(send.value()))
            {
                anomalies.add(new Anomaly(Anomaly.Kind.LOST, "'" + send.value() + "' acked to " + send.producer() +
                    " at " + send.acks().get(0) + " was never read"));
            }
        }
    }

    private static void checkDuplicates(
        final List<Send> sends,
        final Map<String, Send> sendByValue,
        final Map<String, Set<Position>> readPositionsByValue,
        final List<Anomaly> anomalies)
    {
        for (final Send send : sends)
        {
            final Set<Position> acked = new TreeSet<>(send.acks());
            if (acked.size() > 1)
            {
                anomalies.add(new Anomaly(Anomaly.Kind.DUPLICATE, "'" + send.value() + "' written twice: acked to " +
                    send.producer() + " at " + acked));
            }
        }
        readPositionsByValue.forEach((value, positions) ->
        {
            final Send send = sendByValue.get(value);
            if (positions.size() > 1 && null != send && send.acks().size() <= 1)
            {
                final String sent = send.acks().isEmpty() ? "sent once by " + send.producer() + " (" +
                    send.outcome().name().toLowerCase() + ")" : "acked once to " + send.producer() + " at " +
                    send.acks().get(0);
                anomalies.add(new Anomaly(Anomaly.Kind.DUPLICATE, "'" + value + "' " + sent + " but present at " +
                    positions + " (a retried write written twice)"));
            }
        });
    }

    private static void checkInconsistent(
        final List<Send> sends,
        final List<Read> reads,
        final Map<String, Set<Position>> readPositionsByValue,
        final List<Anomaly> anomalies)
    {
        // Every claim of what a position holds: reads, and acknowledgements.
        final Map<Position, Map<String, Set<String>>> claims = new TreeMap<>();
        for (final Read read : reads)
        {
            claims.computeIfAbsent(read.position(), (p) -> new LinkedHashMap<>())
                .computeIfAbsent(read.value(), (v) -> new LinkedHashSet<>()).add("read by " + read.consumer());
        }
        for (final Send send : sends)
        {
            for (final Position position : send.acks())
            {
                claims.computeIfAbsent(position, (p) -> new LinkedHashMap<>())
                    .computeIfAbsent(send.value(), (v) -> new LinkedHashSet<>()).add("acked to " + send.producer());
            }
        }
        claims.forEach((position, values) ->
        {
            if (values.size() > 1)
            {
                final StringBuilder evidence = new StringBuilder().append(position).append(" holds ")
                    .append(values.size()).append(" values:");
                values.forEach((value, who) -> evidence.append(" '").append(value).append("' (")
                    .append(String.join(", ", who)).append(')'));
                anomalies.add(new Anomaly(Anomaly.Kind.INCONSISTENT, evidence.toString()));
            }
        });
        // A value read, but not where it was acknowledged.
        for (final Send send : sends)
        {
            final Set<Position> readAt = readPositionsByValue.get(send.value());
            if (null != readAt && 1 == send.acks().size() && !readAt.contains(send.acks().get(0)))
            {
                anomalies.add(new Anomaly(Anomaly.Kind.INCONSISTENT, "'" + send.value() + "' acked to " +
                    send.producer() + " at " + send.acks().get(0) + " but read at " + readAt));
            }
        }
    }

    private void checkGaps(final List<Read> reads, final List<Anomaly> anomalies)
    {
        final Map<Integer, TreeSet<Long>> offsetsByPartition = new TreeMap<>();
        for (final Read read : reads)
        {
            offsetsByPartition.computeIfAbsent(read.position().partition(), (p) -> new TreeSet<>())
                .add(read.position().offset());
        }
        offsetsByPartition.forEach((partition, offsets) ->
        {
            final long highest = offsets.last();
            long expected = logStartOffsets.getOrDefault(partition, 0L);
            for (final long offset : offsets.tailSet(expected, true))
            {
                if (offset > expected)
                {
                    anomalies.add(new Anomaly(Anomaly.Kind.GAP, "partition " + partition + ": " +
                        range(expected, offset - 1) + " never read, though reads reached offset " + highest));
                }
                expected = offset + 1;
            }
        });
    }

    private static void checkMonotonic(final List<Read> reads, final List<Anomaly> anomalies)
    {
        final Map<String, Map<Integer, Long>> lastByConsumer = new HashMap<>();
        for (final Read read : reads)
        {
            final Map<Integer, Long> last = lastByConsumer.computeIfAbsent(read.consumer(), (c) -> new HashMap<>());
            final int partition = read.position().partition();
            final long offset = read.position().offset();
            final Long previous = last.put(partition, offset);
            if (null == previous || offset == previous + 1)
            {
                continue;
            }
            final String what = offset <= previous ?
                "went backwards from offset " + previous + " to " + offset :
                "skipped from offset " + previous + " to " + offset + " (" + range(previous + 1, offset - 1) +
                " not read)";
            anomalies.add(new Anomaly(Anomaly.Kind.NON_MONOTONIC, read.consumer() + " on partition " + partition +
                " " + what));
        }
    }

    private static String range(final long first, final long last)
    {
        return first == last ? "offset " + first : "offsets " + first + ".." + last + " (" + (last - first + 1) + ")";
    }
}
