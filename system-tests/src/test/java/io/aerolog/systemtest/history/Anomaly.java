package io.aerolog.systemtest.history;

/**
 * One broken promise found in a history, with its evidence.
 *
 * @param kind     of rule broken.
 * @param evidence what was seen, naming values, positions, producers and consumers.
 */
public record Anomaly(Kind kind, String evidence)
{
    /** The rules a history of a partitioned log must keep. */
    public enum Kind
    {
        /** An acknowledged record that no consumer read. */
        LOST,
        /** A value at two positions: acked twice, or acked (or sent) once and present twice. */
        DUPLICATE,
        /** Offsets never read below the highest offset read, from the log start: offsets are dense. */
        GAP,
        /** One position seen holding two different values (two reads, or a read and an acknowledgement). */
        INCONSISTENT,
        /** Within one consumer incarnation, a partition's next offset read was not the one after the last. */
        NON_MONOTONIC,
        /** A value read that no producer sent. */
        PHANTOM,
        /** A value read whose send had definitely failed (an aborted write made visible). */
        ABORTED_READ
    }

    @Override
    public String toString()
    {
        return kind + ": " + evidence;
    }
}
