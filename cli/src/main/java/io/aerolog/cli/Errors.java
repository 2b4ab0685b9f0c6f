package io.aerolog.cli;

/**
 * Turns exceptions into one-line messages for users.
 */
final class Errors
{
    private Errors()
    {
    }

    /**
     * @param throwable to describe.
     * @return its message and those of its causes, or its type where it has no message.
     */
    static String describe(final Throwable throwable)
    {
        final StringBuilder sb = new StringBuilder();
        Throwable t = throwable;
        int depth = 0;
        while (null != t && depth++ < 5)
        {
            final String message = null == t.getMessage() ? t.getClass().getSimpleName() : t.getMessage();
            if (sb.indexOf(message) < 0)
            {
                if (sb.length() > 0)
                {
                    sb.append(": ");
                }
                sb.append(message);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return sb.toString();
    }
}
