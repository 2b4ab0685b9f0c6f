package io.aerolog.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KeyValueLineTest
{
    @Test
    void withoutSeparatorTheWholeLineIsTheValue()
    {
        assertThat(KeyValueLine.parse("a:b", null)).isEqualTo(new KeyValueLine(null, "a:b"));
    }

    @Test
    void splitsAtTheFirstSeparator()
    {
        assertThat(KeyValueLine.parse("k:v:w", ":")).isEqualTo(new KeyValueLine("k", "v:w"));
    }

    @Test
    void lineWithoutTheSeparatorHasNullKey()
    {
        assertThat(KeyValueLine.parse("just a value", ":")).isEqualTo(new KeyValueLine(null, "just a value"));
    }

    @Test
    void separatorMayBeLongerThanOneCharacter()
    {
        assertThat(KeyValueLine.parse("key=>value=>x", "=>")).isEqualTo(new KeyValueLine("key", "value=>x"));
    }

    @Test
    void emptyKeyAndEmptyValueAreKept()
    {
        assertThat(KeyValueLine.parse(":v", ":")).isEqualTo(new KeyValueLine("", "v"));
        assertThat(KeyValueLine.parse("k:", ":")).isEqualTo(new KeyValueLine("k", ""));
        assertThat(KeyValueLine.parse("", ":")).isEqualTo(new KeyValueLine(null, ""));
    }

    @Test
    void tabSeparatorAndUnicode()
    {
        assertThat(KeyValueLine.parse("clé\tvaleur ✓", "\t")).isEqualTo(new KeyValueLine("clé", "valeur ✓"));
    }
}
