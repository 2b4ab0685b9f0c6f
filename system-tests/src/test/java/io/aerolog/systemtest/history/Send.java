package io.aerolog.systemtest.history;

import java.util.List;

/**
 * One record a producer sent, and what it learnt of its fate.
 *
 * @param producer name of the producer that sent it.
 * @param value    of the record, unique in the history.
 * @param outcome  what the producer was told in the end.
 * @param acks     every position the broker acknowledged it at (one, unless something is wrong), in order.
 * @param detail   the error of a failed or unknown send, else null.
 */
public record Send(String producer, String value, Outcome outcome, List<Position> acks, String detail)
{
    /** What a producer knows of a record it sent, as Jepsen's invoke / ok / fail / info. */
    public enum Outcome
    {
        /** Sent, no answer yet (at the end of a run it counts as unknown). */
        INVOKED,
        /** Acknowledged at a position: it must be read there, once. */
        ACKED,
        /** Refused before it was written (a definite error): it must never be read. */
        FAILED,
        /** Timed out or lost with its connection: it may be read, at most once. */
        UNKNOWN
    }
}
