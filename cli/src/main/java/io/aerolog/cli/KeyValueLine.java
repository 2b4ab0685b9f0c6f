package io.aerolog.cli;

/**
 * A line of producer input split into key and value: with a separator, the text before its first occurrence is the
 * key and the rest the value; a line without the separator (or with no separator given) has a null key and is all
 * value.
 *
 * @param key   may be null.
 * @param value never null.
 */
record KeyValueLine(String key, String value)
{
    /**
     * Splits a line.
     *
     * @param line      of input, without its line terminator.
     * @param separator between key and value, or null when lines carry no key.
     * @return the key and value.
     */
    static KeyValueLine parse(final String line, final String separator)
    {
        if (null == separator || separator.isEmpty())
        {
            return new KeyValueLine(null, line);
        }
        final int index = line.indexOf(separator);
        if (index < 0)
        {
            return new KeyValueLine(null, line);
        }
        return new KeyValueLine(line.substring(0, index), line.substring(index + separator.length()));
    }
}
