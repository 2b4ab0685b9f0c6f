package io.aerolog.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Follows a file that a child process writes its output to: each call hands over the complete lines appended since
 * the previous one, so a reader never sees half a line. Not thread-safe: one reader per instance.
 */
final class OutputLines
{
    private static final int CHUNK_BYTES = 8192;

    private final File file;
    private final byte[] chunk = new byte[CHUNK_BYTES];
    private final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
    private long position;

    OutputLines(final File file)
    {
        this.file = file;
    }

    /**
     * Hands over the complete lines written since the last call.
     *
     * @param consumer of each line, without its line terminator.
     * @return how many lines were handed over.
     */
    int poll(final Consumer<String> consumer)
    {
        int lines = 0;
        try (RandomAccessFile in = new RandomAccessFile(file, "r"))
        {
            in.seek(position);
            int read;
            while ((read = in.read(chunk)) > 0)
            {
                position += read;
                int start = 0;
                for (int i = 0; i < read; i++)
                {
                    if ('\n' == chunk[i])
                    {
                        partialLine.write(chunk, start, i - start);
                        consumer.accept(takeLine());
                        lines++;
                        start = i + 1;
                    }
                }
                partialLine.write(chunk, start, read - start);
            }
        }
        catch (final IOException ignore)
        {
            // not created yet, or gone: nothing to hand over
        }
        return lines;
    }

    /**
     * Hands over what is left once the writer has gone: the complete lines, then a last line without a terminator.
     *
     * @param consumer of each line.
     */
    void finish(final Consumer<String> consumer)
    {
        poll(consumer);
        if (partialLine.size() > 0)
        {
            consumer.accept(takeLine());
        }
    }

    private String takeLine()
    {
        // Malformed bytes (a child killed mid-character) become replacement characters, never an exception.
        String line = partialLine.toString(StandardCharsets.UTF_8);
        partialLine.reset();
        if (line.endsWith("\r"))
        {
            line = line.substring(0, line.length() - 1);
        }
        return line;
    }
}
