package io.aerolog.perf.latency;

/**
 * Turns an exception and its causes into one line for a tool's error message.
 */
public final class Failures
{
    private static final int MAX_DEPTH = 5;

    private Failures()
    {
    }

    /**
     * @param throwable to describe.
     * @return its message and those of its causes that add something, joined by ": ".
     */
    public static String describe(final Throwable throwable)
    {
        final StringBuilder sb = new StringBuilder();
        Throwable t = throwable;
        int depth = 0;
        while (null != t && depth++ < MAX_DEPTH)
        {
            final String message = null == t.getMessage() ? t.getClass().getSimpleName() : t.getMessage();
            if (sb.indexOf(message) < 0)
            {
                sb.append(sb.length() > 0 ? ": " : "").append(message);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return sb.toString();
    }
}
