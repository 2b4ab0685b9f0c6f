package io.aerolog.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecordLineFormatterTest
{
    @Test
    void valueOnlyByDefault()
    {
        assertThat(new RecordLineFormatter(false, false, false).format(2, 7, "k", "v")).isEqualTo("v");
    }

    @Test
    void fieldsInOrderPartitionOffsetKeyValueSeparatedByTab()
    {
        assertThat(new RecordLineFormatter(true, true, true).format(2, 7, "k", "v")).isEqualTo("2\t7\tk\tv");
    }

    @Test
    void onlyTheFieldsAskedFor()
    {
        assertThat(new RecordLineFormatter(true, false, false).format(2, 7, "k", "v")).isEqualTo("2\tv");
        assertThat(new RecordLineFormatter(false, true, false).format(2, 7, "k", "v")).isEqualTo("7\tv");
        assertThat(new RecordLineFormatter(false, false, true).format(2, 7, "k", "v")).isEqualTo("k\tv");
        assertThat(new RecordLineFormatter(false, true, true).format(0, 12345678901L, "k", "v"))
            .isEqualTo("12345678901\tk\tv");
    }

    @Test
    void nullKeyAndValuePrintAsNull()
    {
        assertThat(new RecordLineFormatter(false, false, true).format(0, 0, null, null)).isEqualTo("null\tnull");
    }

    @Test
    void appendsToABuilderWithoutALineTerminator()
    {
        final StringBuilder sb = new StringBuilder("> ");
        new RecordLineFormatter(true, false, true).appendTo(sb, 1, 0, null, "");
        assertThat(sb.toString()).isEqualTo("> 1\tnull\t");
    }
}
