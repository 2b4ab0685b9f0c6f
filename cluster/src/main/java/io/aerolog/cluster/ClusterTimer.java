package io.aerolog.cluster;

import io.aeron.cluster.service.Cluster;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * One cluster timer kept at the earliest deadline of some replicated state (group members, broker sessions).
 * Aeron allows timers to be scheduled only from session messages and timer events, so {@link #arm} is called there,
 * after every change that may move the deadline; where the timer's state is not known (after a snapshot load, a
 * role change or a new term) {@link #forget} makes the next {@link #arm} schedule it again, which changes no
 * replicated state (a spare timer event is harmless: expiry visits only what is due).
 */
final class ClusterTimer
{
    private static final long UNKNOWN_DEADLINE = Long.MIN_VALUE;

    private final long timerId;
    private final long noDeadline;
    private long scheduledDeadlineMs;

    /**
     * @param timerId    the correlation id of the cluster timer.
     * @param noDeadline the value that means "nothing is due".
     */
    ClusterTimer(final long timerId, final long noDeadline)
    {
        this.timerId = timerId;
        this.noDeadline = noDeadline;
        this.scheduledDeadlineMs = noDeadline;
    }

    /** @return the correlation id of the timer. */
    long timerId()
    {
        return timerId;
    }

    /** The timer fired: nothing is scheduled any more (unless its state was unknown). */
    void fired()
    {
        if (UNKNOWN_DEADLINE != scheduledDeadlineMs)
        {
            scheduledDeadlineMs = noDeadline;
        }
    }

    /** The timer's state is not known: the next {@link #arm} schedules it whatever the deadline. */
    void forget()
    {
        scheduledDeadlineMs = UNKNOWN_DEADLINE;
    }

    /**
     * Keeps the timer at the deadline: scheduled, moved or cancelled as needed.
     *
     * @param cluster      to schedule on.
     * @param idleStrategy while the cluster refuses for now.
     * @param deadlineMs   the earliest deadline, or the no-deadline value.
     */
    void arm(final Cluster cluster, final IdleStrategy idleStrategy, final long deadlineMs)
    {
        if (deadlineMs == scheduledDeadlineMs)
        {
            return;
        }

        idleStrategy.reset();
        if (noDeadline == deadlineMs)
        {
            while (!cluster.cancelTimer(timerId))
            {
                idleStrategy.idle();
            }
        }
        else
        {
            final long deadline = cluster.timeUnit().convert(deadlineMs, TimeUnit.MILLISECONDS);
            while (!cluster.scheduleTimer(timerId, deadline))
            {
                idleStrategy.idle();
            }
        }
        scheduledDeadlineMs = deadlineMs;
    }
}
