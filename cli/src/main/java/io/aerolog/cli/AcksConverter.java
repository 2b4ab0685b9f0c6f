package io.aerolog.cli;

import io.aerolog.codecs.wire.Acks;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --acks} as Kafka spells it: {@code 0}, {@code 1}, or {@code all} (also {@code -1}).
 */
final class AcksConverter implements ITypeConverter<Acks>
{
    /**
     * {@inheritDoc}
     */
    public Acks convert(final String value)
    {
        switch (value.trim().toLowerCase(java.util.Locale.ROOT))
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
}
