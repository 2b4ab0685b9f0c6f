package io.aerolog.client;

/**
 * A partition of a topic.
 *
 * @param topic     name.
 * @param partition number, from 0.
 */
public record TopicPartition(String topic, int partition)
{
    /**
     * Validates the fields.
     *
     * @param topic     name.
     * @param partition number, from 0.
     */
    public TopicPartition
    {
        if (null == topic || topic.isEmpty())
        {
            throw new IllegalArgumentException("topic must be named");
        }
        if (partition < 0)
        {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
    }

    @Override
    public String toString()
    {
        return topic + "-" + partition;
    }
}
