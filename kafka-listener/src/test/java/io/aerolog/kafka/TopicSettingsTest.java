package io.aerolog.kafka;

import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicSettingsTest
{
    private static CreateTopicsRequestData.CreatableTopic topic(final int partitions, final String... configs)
    {
        final CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic()
            .setName("t").setNumPartitions(partitions).setReplicationFactor((short)-1);
        for (int i = 0; i < configs.length; i += 2)
        {
            topic.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName(configs[i])
                .setValue(configs[i + 1]));
        }
        return topic;
    }

    @Test
    void appliesRetentionTimestampTypeAndMinInsync()
    {
        final TopicSettings settings = TopicSettings.of(topic(3, "retention.ms", "60000", "retention.bytes", "1024",
            "message.timestamp.type", "LogAppendTime", "min.insync.replicas", "2", "segment.bytes", "52428800"), 1);
        assertThat(settings).isEqualTo(new TopicSettings(3, -1, 2, 60_000, 1024, true));
    }

    @Test
    void aCompactedTopicKeepsEverything()
    {
        final TopicSettings settings = TopicSettings.of(topic(1, "cleanup.policy", "compact", "retention.ms", "10"), 1);
        assertThat(settings.retentionMs()).isEqualTo(-1);
        assertThat(settings.retentionBytes()).isEqualTo(-1);
    }

    @Test
    void defaultPartitionsWhenNoneGiven()
    {
        assertThat(TopicSettings.of(topic(-1), 4).partitions()).isEqualTo(4);
    }

    @Test
    void refusesUnknownConfigsAndBadValues()
    {
        assertThatThrownBy(() -> TopicSettings.of(topic(1, "no.such", "1"), 1))
            .isInstanceOfSatisfying(TopicSettings.InvalidSettingException.class,
                (ex) -> assertThat(ex.error).isEqualTo(Errors.INVALID_CONFIG));
        assertThatThrownBy(() -> TopicSettings.of(topic(1, "retention.ms", "soon"), 1))
            .hasMessageContaining("retention.ms must be a number");
        assertThatThrownBy(() -> TopicSettings.of(topic(0), 1))
            .isInstanceOfSatisfying(TopicSettings.InvalidSettingException.class,
                (ex) -> assertThat(ex.error).isEqualTo(Errors.INVALID_PARTITIONS));
        assertThatThrownBy(() -> TopicSettings.of(topic(1, "cleanup.policy", "sometimes"), 1))
            .hasMessageContaining("cleanup.policy");
    }
}
