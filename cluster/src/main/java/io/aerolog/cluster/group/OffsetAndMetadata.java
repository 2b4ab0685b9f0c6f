package io.aerolog.cluster.group;

/**
 * A committed offset of a partition for a group.
 *
 * @param offset   next offset the group will consume, {@code >= 0}.
 * @param metadata free text from the committer, never null.
 */
public record OffsetAndMetadata(long offset, String metadata)
{
}
