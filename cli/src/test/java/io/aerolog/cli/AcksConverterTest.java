package io.aerolog.cli;

import io.aerolog.codecs.wire.Acks;
import io.aerolog.perf.latency.AcksConverter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AcksConverterTest
{
    private final AcksConverter converter = new AcksConverter();

    @Test
    void kafkaSpellings()
    {
        assertThat(converter.convert("0")).isEqualTo(Acks.NONE);
        assertThat(converter.convert("1")).isEqualTo(Acks.LEADER);
        assertThat(converter.convert("all")).isEqualTo(Acks.ALL);
        assertThat(converter.convert("ALL")).isEqualTo(Acks.ALL);
        assertThat(converter.convert("-1")).isEqualTo(Acks.ALL);
    }

    @Test
    void rejectsOthers()
    {
        assertThatThrownBy(() -> converter.convert("2")).isInstanceOf(TypeConversionException.class)
            .hasMessageContaining("0, 1 or all");
    }
}
