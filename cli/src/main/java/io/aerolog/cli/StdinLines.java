package io.aerolog.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads lines of UTF-8 text from an input stream on a daemon thread, so the thread that owns a client can keep
 * polling it (and its session alive) while waiting for input.
 */
final class StdinLines
{
    private static final int CAPACITY = 16 * 1024;

    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(CAPACITY);
    private final BufferedReader reader;
    private volatile boolean endOfInput;
    private volatile IOException error;

    private StdinLines(final InputStream in)
    {
        reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024);
    }

    /**
     * Starts reading.
     *
     * @param in to read, e.g. {@code System.in}.
     * @return the lines as they come.
     */
    static StdinLines start(final InputStream in)
    {
        final StdinLines stdinLines = new StdinLines(in);
        final Thread thread = new Thread(stdinLines::read, "aerolog-stdin");
        thread.setDaemon(true);
        thread.start();
        return stdinLines;
    }

    private void read()
    {
        try
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                lines.put(line);
            }
        }
        catch (final IOException ex)
        {
            error = ex;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            endOfInput = true;
        }
    }

    /**
     * @return the next line, or null when none is waiting (see {@link #isFinished()}).
     * @throws UncheckedIOException if reading failed.
     */
    String poll()
    {
        final String line = lines.poll();
        if (null == line && null != error)
        {
            throw new UncheckedIOException("cannot read input", error);
        }
        return line;
    }

    /**
     * @return true once the input has ended and every line has been taken.
     */
    boolean isFinished()
    {
        return endOfInput && lines.isEmpty();
    }
}
