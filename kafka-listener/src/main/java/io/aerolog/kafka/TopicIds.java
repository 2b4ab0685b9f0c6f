package io.aerolog.kafka;

import org.apache.kafka.common.Uuid;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Kafka's topic ids (UUIDs) for Aerolog topics, derived from the topic's numeric id and name: the same on every
 * listener and after restarts, and different for a topic deleted and created again (it gets a new numeric id).
 */
final class TopicIds
{
    private TopicIds()
    {
    }

    static Uuid of(final int topicId, final String name)
    {
        // A name-based UUID has version bits set, so it is never Kafka's reserved ZERO or ONE.
        final UUID uuid = UUID.nameUUIDFromBytes(("aerolog-topic/" + topicId + "/" + name)
            .getBytes(StandardCharsets.UTF_8));
        return new Uuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }
}
