package io.aerolog.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Parses the idle strategies named in threading profiles:
 * <ul>
 *     <li>{@code busy-spin}, {@code noop}, {@code yield};</li>
 *     <li>{@code sleep:DURATION}, e.g. {@code sleep:1ms};</li>
 *     <li>{@code backoff} (Agrona's default: parks of up to 1 ms), {@code backoff:MAX_PARK} (100 spins, 10 yields,
 *     parks from 1 us up to MAX_PARK), or {@code backoff:SPINS,YIELDS,MIN_PARK,MAX_PARK};</li>
 *     <li>{@code backoff:SPINS,YIELDS,MIN_PARK,MAX_PARK,QUIET_AFTER,QUIET_PARK}: the same back-off, and once the
 *     thread has had no work for QUIET_AFTER, parks of QUIET_PARK until work returns
 *     ({@link QuietBackoffIdleStrategy}), e.g. {@code backoff:10,5,1us,1ms,10s,10ms}.</li>
 * </ul>
 * Durations take a unit: {@code ns}, {@code us}, {@code ms} or {@code s}.
 */
public final class IdleStrategies
{
    private IdleStrategies()
    {
    }

    /**
     * A supplier of fresh idle strategies (an idle strategy holds per-thread state: one per agent).
     *
     * @param spec such as {@code backoff:100us}.
     * @return the supplier.
     * @throws IllegalArgumentException naming the problem.
     */
    public static Supplier<IdleStrategy> supplier(final String spec)
    {
        final String trimmed = spec.trim().toLowerCase(Locale.ROOT);
        final int colon = trimmed.indexOf(':');
        final String name = colon < 0 ? trimmed : trimmed.substring(0, colon);
        final String args = colon < 0 ? null : trimmed.substring(colon + 1).trim();
        switch (name)
        {
            case "busy-spin":
                noArgs(spec, args);
                return BusySpinIdleStrategy::new;
            case "noop":
                noArgs(spec, args);
                return () -> NoOpIdleStrategy.INSTANCE;
            case "yield":
                noArgs(spec, args);
                return YieldingIdleStrategy::new;
            case "sleep":
            {
                final long ns = durationNs(spec, required(spec, args));
                if (ns >= TimeUnit.MILLISECONDS.toNanos(1) && 0 == ns % TimeUnit.MILLISECONDS.toNanos(1))
                {
                    final long ms = TimeUnit.NANOSECONDS.toMillis(ns);
                    return () -> new SleepingMillisIdleStrategy(ms);
                }
                return () -> new SleepingIdleStrategy(ns);
            }
            case "backoff":
                return backoff(spec, args);
            default:
                throw new IllegalArgumentException("unknown idle strategy '" + spec +
                    "': use busy-spin, noop, yield, sleep:DURATION, backoff, backoff:MAX_PARK, " +
                    "backoff:SPINS,YIELDS,MIN_PARK,MAX_PARK or " +
                    "backoff:SPINS,YIELDS,MIN_PARK,MAX_PARK,QUIET_AFTER,QUIET_PARK");
        }
    }

    /**
     * A fresh idle strategy.
     *
     * @param spec such as {@code busy-spin}.
     * @return the idle strategy.
     */
    public static IdleStrategy create(final String spec)
    {
        return supplier(spec).get();
    }

    /**
     * Parses a duration with a unit.
     *
     * @param spec  the whole setting, for error messages.
     * @param value such as {@code 100us}.
     * @return nanoseconds.
     */
    public static long durationNs(final String spec, final String value)
    {
        final String v = value.trim().toLowerCase(Locale.ROOT);
        final TimeUnit unit;
        final int suffix;
        if (v.endsWith("ns"))
        {
            unit = TimeUnit.NANOSECONDS;
            suffix = 2;
        }
        else if (v.endsWith("us"))
        {
            unit = TimeUnit.MICROSECONDS;
            suffix = 2;
        }
        else if (v.endsWith("ms"))
        {
            unit = TimeUnit.MILLISECONDS;
            suffix = 2;
        }
        else if (v.endsWith("s"))
        {
            unit = TimeUnit.SECONDS;
            suffix = 1;
        }
        else
        {
            throw new IllegalArgumentException("duration '" + value + "' in '" + spec +
                "' needs a unit: ns, us, ms or s");
        }
        try
        {
            final long amount = Long.parseLong(v.substring(0, v.length() - suffix).trim());
            if (amount < 0)
            {
                throw new IllegalArgumentException("negative duration '" + value + "' in '" + spec + "'");
            }
            return unit.toNanos(amount);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad duration '" + value + "' in '" + spec + "'", ex);
        }
    }

    private static Supplier<IdleStrategy> backoff(final String spec, final String args)
    {
        if (null == args)
        {
            return BackoffIdleStrategy::new;
        }
        final String[] parts = args.split(",");
        if (1 == parts.length)
        {
            final long maxParkNs = durationNs(spec, parts[0]);
            final long minParkNs = Math.min(TimeUnit.MICROSECONDS.toNanos(1), maxParkNs);
            return () -> new BackoffIdleStrategy(100, 10, minParkNs, maxParkNs);
        }
        if (4 == parts.length || 6 == parts.length)
        {
            final long spins;
            final long yields;
            try
            {
                spins = Long.parseLong(parts[0].trim());
                yields = Long.parseLong(parts[1].trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("bad spin or yield count in '" + spec + "'", ex);
            }
            final long minParkNs = durationNs(spec, parts[2]);
            final long maxParkNs = durationNs(spec, parts[3]);
            if (spins < 0 || yields < 0 || minParkNs > maxParkNs)
            {
                throw new IllegalArgumentException("'" + spec + "': counts must be >= 0 and MIN_PARK <= MAX_PARK");
            }
            if (4 == parts.length)
            {
                return () -> new BackoffIdleStrategy(spins, yields, minParkNs, maxParkNs);
            }
            final long quietAfterNs = durationNs(spec, parts[4]);
            final long quietParkNs = durationNs(spec, parts[5]);
            final Supplier<IdleStrategy> quiet =
                () -> new QuietBackoffIdleStrategy(spins, yields, minParkNs, maxParkNs, quietAfterNs, quietParkNs);
            try
            {
                quiet.get(); // the constructor checks the values: fail while parsing, not when a thread starts
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("'" + spec + "': " + ex.getMessage(), ex);
            }
            return quiet;
        }
        throw new IllegalArgumentException("'" + spec + "': use backoff, backoff:MAX_PARK, " +
            "backoff:SPINS,YIELDS,MIN_PARK,MAX_PARK or backoff:SPINS,YIELDS,MIN_PARK,MAX_PARK,QUIET_AFTER,QUIET_PARK");
    }

    private static void noArgs(final String spec, final String args)
    {
        if (null != args)
        {
            throw new IllegalArgumentException("idle strategy '" + spec + "' takes no arguments");
        }
    }

    private static String required(final String spec, final String args)
    {
        if (null == args || args.isEmpty())
        {
            throw new IllegalArgumentException("idle strategy '" + spec + "' needs a duration, e.g. sleep:1ms");
        }
        return args;
    }
}
