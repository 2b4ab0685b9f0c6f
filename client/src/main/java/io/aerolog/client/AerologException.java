package io.aerolog.client;

import io.aerolog.codecs.wire.ErrorCode;

/**
 * An error reported by a broker or found by the client, with the protocol {@link ErrorCode} that names it.
 */
public class AerologException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code    naming the error.
     * @param message saying what went wrong.
     */
    public AerologException(final ErrorCode code, final String message)
    {
        super(code + ": " + message);
        this.code = code;
    }

    /**
     * @return the code naming the error.
     */
    public ErrorCode code()
    {
        return code;
    }
}
