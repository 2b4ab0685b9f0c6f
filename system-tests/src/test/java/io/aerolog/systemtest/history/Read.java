package io.aerolog.systemtest.history;

/**
 * One record a consumer read.
 *
 * @param consumer    name of the consumer incarnation that read it (a restarted consumer is a new incarnation).
 * @param position    where it was read.
 * @param value       it held.
 */
public record Read(String consumer, Position position, String value)
{
}
