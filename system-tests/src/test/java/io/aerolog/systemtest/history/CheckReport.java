package io.aerolog.systemtest.history;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link HistoryChecker} found: the anomalies, and counts of the history's sends by outcome and of its reads.
 */
public final class CheckReport
{
    /** Anomalies of one kind quoted in {@link #toString()}; the rest are counted. */
    public static final int QUOTED_PER_KIND = 10;

    private final Map<Send.Outcome, Integer> sendsByOutcome = new EnumMap<>(Send.Outcome.class);
    private final long reads;
    private final List<Anomaly> anomalies;

    CheckReport(final List<Send> sends, final long reads, final List<Anomaly> anomalies)
    {
        for (final Send.Outcome outcome : Send.Outcome.values())
        {
            sendsByOutcome.put(outcome, 0);
        }
        sends.forEach((send) -> sendsByOutcome.merge(send.outcome(), 1, Integer::sum));
        this.reads = reads;
        this.anomalies = List.copyOf(anomalies);
    }

    /** @return true if the history kept every promise. */
    public boolean isValid()
    {
        return anomalies.isEmpty();
    }

    /** @return every anomaly found, grouped by rule. */
    public List<Anomaly> anomalies()
    {
        return anomalies;
    }

    /**
     * @param kind of anomaly.
     * @return those of that kind.
     */
    public List<Anomaly> anomalies(final Anomaly.Kind kind)
    {
        return anomalies.stream().filter((a) -> kind == a.kind()).toList();
    }

    /**
     * @param outcome of a send.
     * @return how many sends ended so.
     */
    public int sends(final Send.Outcome outcome)
    {
        return sendsByOutcome.get(outcome);
    }

    /** @return how many records were read (counting every consumer's reads). */
    public long reads()
    {
        return reads;
    }

    /**
     * Fails with the report if the history broke a promise.
     *
     * @return this, when valid.
     * @throws AssertionError naming each anomaly (up to {@link #QUOTED_PER_KIND} per kind).
     */
    public CheckReport assertValid()
    {
        if (!isValid())
        {
            throw new AssertionError(this.toString());
        }
        return this;
    }

    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder().append("sends ").append(sendsByOutcome).append(", reads ")
            .append(reads).append(", ");
        if (anomalies.isEmpty())
        {
            return out.append("no anomalies").toString();
        }
        out.append(anomalies.size()).append(" anomalies:");
        for (final Anomaly.Kind kind : Anomaly.Kind.values())
        {
            final List<Anomaly> ofKind = anomalies(kind);
            for (int i = 0; i < Math.min(QUOTED_PER_KIND, ofKind.size()); i++)
            {
                out.append(System.lineSeparator()).append("  ").append(ofKind.get(i));
            }
            if (ofKind.size() > QUOTED_PER_KIND)
            {
                out.append(System.lineSeparator()).append("  ... and ").append(ofKind.size() - QUOTED_PER_KIND)
                    .append(" more ").append(kind);
            }
        }
        return out.toString();
    }
}
