package io.aerolog.kafka;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaListenerConfigTest
{
    @Test
    void theBoundPortIsAdvertisedWithoutChangingTheCallersSettings()
    {
        final KafkaListener.Config config = new KafkaListener.Config().port(0).host("127.0.0.1");
        final KafkaListener.Config first = config.resolved(40001);
        final KafkaListener.Config second = config.resolved(40002);
        assertThat(first.advertisedPort()).isEqualTo(40001);
        assertThat(second.advertisedPort()).isEqualTo(40002); // a restart with port 0 advertises its new port
        assertThat(config.advertisedPort()).isEqualTo(-1);
        assertThat(first.advertisedHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void anAdvertisedPortGivenWins()
    {
        assertThat(new KafkaListener.Config().advertisedPort(9092).resolved(40001).advertisedPort()).isEqualTo(9092);
    }

    @Test
    void badSettingsNameTheKey()
    {
        assertThatThrownBy(() -> new KafkaListener.Config().port(70000)).hasMessageContaining("kafka.listener.port");
        assertThatThrownBy(() -> new KafkaListener.Config().maxFrameBytes(10))
            .hasMessageContaining("kafka.max.request.bytes");
        assertThatThrownBy(() -> new KafkaListener.Config().defaultPartitions(0))
            .hasMessageContaining("kafka.num.partitions");
    }
}
