package io.aerolog.client;

/**
 * A committed offset: the next offset the group will consume from a partition, with the application's metadata.
 *
 * @param offset   the next offset to consume, {@code >= 0}.
 * @param metadata the application's note, at most 4096 characters; never null.
 */
public record OffsetAndMetadata(long offset, String metadata)
{
    /**
     * Validates the fields.
     *
     * @param offset   the next offset to consume, {@code >= 0}.
     * @param metadata the application's note; null is taken as empty.
     */
    public OffsetAndMetadata
    {
        if (offset < 0)
        {
            throw new IllegalArgumentException("offset must be >= 0: " + offset);
        }
        metadata = null == metadata ? "" : metadata;
    }

    /**
     * An offset without metadata.
     *
     * @param offset the next offset to consume.
     */
    public OffsetAndMetadata(final long offset)
    {
        this(offset, "");
    }
}
