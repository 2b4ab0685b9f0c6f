package io.aerolog.transport;

import io.aeron.Publication;

/**
 * Names the outcome of a {@link Publication#offer} so that callers handle each case explicitly.
 */
public final class Offers
{
    private Offers()
    {
    }

    /**
     * Is the result one worth retrying shortly (back-pressure or an admin action)?
     *
     * @param result of offer or tryClaim.
     * @return true when a retry may succeed.
     */
    public static boolean isTransient(final long result)
    {
        return Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result;
    }

    /**
     * Is the result final failure: not connected, closed or the stream is exhausted?
     *
     * @param result of offer or tryClaim.
     * @return true when retrying will not help.
     */
    public static boolean isFatal(final long result)
    {
        return Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
            Publication.MAX_POSITION_EXCEEDED == result;
    }

    /**
     * A readable name for a negative offer result.
     *
     * @param result of offer or tryClaim.
     * @return its name.
     */
    public static String describe(final long result)
    {
        if (result > 0)
        {
            return "OK";
        }
        if (Publication.NOT_CONNECTED == result)
        {
            return "NOT_CONNECTED";
        }
        if (Publication.BACK_PRESSURED == result)
        {
            return "BACK_PRESSURED";
        }
        if (Publication.ADMIN_ACTION == result)
        {
            return "ADMIN_ACTION";
        }
        if (Publication.CLOSED == result)
        {
            return "CLOSED";
        }
        if (Publication.MAX_POSITION_EXCEEDED == result)
        {
            return "MAX_POSITION_EXCEEDED";
        }
        return "UNKNOWN(" + result + ")";
    }
}
