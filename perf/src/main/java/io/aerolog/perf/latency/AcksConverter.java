package io.aerolog.perf.latency;

import io.aerolog.codecs.wire.Acks;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;

/**
 * Reads {@code --acks} as Kafka spells it: {@code 0}, {@code 1}, or {@code all} (also {@code -1}).
 */
public final class AcksConverter implements ITypeConverter<Acks>
{
    /**
     * {@inheritDoc}
     */
    public Acks convert(final String value)
    {
        switch (value.trim().toLowerCase(Locale.ROOT))
        {
            case "0":
                return Acks.NONE;
            case "1":
                return Acks.LEADER;
            case "all":
            case "-1":
                return Acks.ALL;
            default:
                throw new TypeConversionException("acks must be 0, 1 or all, got: " + value);
        }
    }

    /**
     * @param acks setting.
     * @return it as Kafka spells it.
     */
    public static String toString(final Acks acks)
    {
        switch (acks)
        {
            case NONE:
                return "0";
            case LEADER:
                return "1";
            default:
                return "all";
        }
    }
}
