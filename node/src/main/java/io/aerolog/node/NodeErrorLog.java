package io.aerolog.node;

import io.aeron.exceptions.AeronException;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One error channel for a whole node, as Aeron keeps one per component: a memory-mapped file in the data directory
 * ({@value #FILENAME}) holding a count of errors for each part of the node (driver, archive, consensus module,
 * controller service, broker) and a {@link DistinctErrorLog} of what they were (each distinct error once, with how
 * often and when first and last seen). Aeron's components still keep their own error logs as well; this one is fed by
 * the error handler each of them is given, so one file (and {@code aerolog errors}) shows everything, from this
 * process or, after a crash, from the last run ({@value #PREVIOUS_FILENAME}).
 * <p>
 * Aeron's warnings (input it dropped, for one) are counted apart and only the first hundred recorded, so a flood of
 * hostile input cannot push real errors out of the log.
 * <p>
 * Errors are rare and may come from any thread of a component (the driver's sender and receiver, say), so each count
 * is incremented atomically and the distinct log is Agrona's thread-safe one; no duty cycle calls into it on a path
 * without an error.
 */
public final class NodeErrorLog implements AutoCloseable
{
    /**
     * The file in the data directory.
     */
    public static final String FILENAME = "node-errors.dat";

    /**
     * The previous run's file, kept once at start so a crash's errors survive the restart.
     */
    public static final String PREVIOUS_FILENAME = "node-errors.prev.dat";

    /**
     * Default length of the distinct error log.
     */
    public static final int DEFAULT_ERROR_BUFFER_LENGTH = 1024 * 1024;

    private static final int VERSION = 1;
    private static final int VERSION_OFFSET = 0;
    private static final int PID_OFFSET = 8;
    private static final int START_TIMESTAMP_OFFSET = 16;
    private static final int COUNTS_OFFSET = 64;
    private static final int WARNINGS_OFFSET = 128;
    private static final long MAX_RECORDED_WARNINGS = 100;
    private static final int HEADER_LENGTH = 256;

    /**
     * The parts of a node that report errors here.
     */
    public enum Source
    {
        /** The media driver. */
        DRIVER,
        /** The archive. */
        ARCHIVE,
        /** The consensus module of the controller. */
        CONSENSUS_MODULE,
        /** The controller's clustered service. */
        CONTROLLER,
        /** The broker's own agents and clients. */
        BROKER
    }

    private final MappedByteBuffer mapped;
    private final AtomicBuffer header;
    private final DistinctErrorLog errorLog;
    private final Map<Source, ErrorHandler> handlers = new EnumMap<>(Source.class);

    private NodeErrorLog(final MappedByteBuffer mapped, final int errorBufferLength)
    {
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        this.errorLog = new DistinctErrorLog(
            new UnsafeBuffer(mapped, HEADER_LENGTH, errorBufferLength), SystemEpochClock.INSTANCE);
        for (final Source source : Source.values())
        {
            final int countOffset = countOffset(source);
            handlers.put(source, (throwable) ->
            {
                if (isWarning(throwable))
                {
                    // Aeron reports input it dropped (a malformed cluster ingress frame, say) as a warning: count
                    // them all, but keep only the first ones' text, so a flood cannot push real errors out.
                    if (header.getAndAddLong(WARNINGS_OFFSET, 1) < MAX_RECORDED_WARNINGS)
                    {
                        errorLog.record(throwable);
                    }
                    return;
                }
                header.getAndAddLong(countOffset, 1);
                errorLog.record(throwable);
            });
        }
    }

    /**
     * Creates a fresh log in a directory, first keeping the one a previous run left as {@value #PREVIOUS_FILENAME}.
     *
     * @param dir               the node's data directory (created if missing).
     * @param errorBufferLength length of the distinct error log, a multiple of 8.
     * @return the log, mapped until {@link #close()}.
     */
    public static NodeErrorLog create(final File dir, final int errorBufferLength)
    {
        if (errorBufferLength <= 0 || 0 != (errorBufferLength & 7))
        {
            throw new IllegalArgumentException("error buffer length must be a positive multiple of 8: " +
                errorBufferLength);
        }
        IoUtil.ensureDirectoryExists(dir, "data directory");
        final File file = new File(dir, FILENAME);
        try
        {
            if (file.exists())
            {
                Files.move(file.toPath(), new File(dir, PREVIOUS_FILENAME).toPath(),
                    StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot keep the previous error log " + file, ex);
        }

        final MappedByteBuffer mapped = IoUtil.mapNewFile(file, HEADER_LENGTH + (long)errorBufferLength);
        final NodeErrorLog log = new NodeErrorLog(mapped, errorBufferLength);
        log.header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        log.header.putLong(START_TIMESTAMP_OFFSET, System.currentTimeMillis());
        log.header.putIntVolatile(VERSION_OFFSET, VERSION);
        return log;
    }

    /**
     * @param source a part of the node.
     * @return an error handler that counts and records an error of it; safe from any thread.
     */
    public ErrorHandler handler(final Source source)
    {
        return handlers.get(source);
    }

    /**
     * @param source a part of the node.
     * @return errors it reported since start.
     */
    public long count(final Source source)
    {
        return header.getLongVolatile(countOffset(source));
    }

    /**
     * @return warnings (Aeron's {@link AeronException.Category#WARN} events, such as dropped malformed input) reported
     * since start; they are not errors and are not in {@link #count(Source)}.
     */
    public long warningCount()
    {
        return header.getLongVolatile(WARNINGS_OFFSET);
    }

    /**
     * @return errors reported by all parts since start.
     */
    public long totalCount()
    {
        long total = 0;
        for (final Source source : Source.values())
        {
            total += count(source);
        }
        return total;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    /**
     * Reads a log, of a running node or of one that stopped.
     *
     * @param file an error log file.
     * @return what it holds.
     * @throws IllegalArgumentException if the file is not an error log.
     */
    public static Report read(final File file)
    {
        if (!file.isFile() || file.length() <= HEADER_LENGTH)
        {
            throw new IllegalArgumentException("no node error log at " + file);
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, "node error log");
        try
        {
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            if (VERSION != header.getIntVolatile(VERSION_OFFSET))
            {
                throw new IllegalArgumentException("not a node error log (or of another version): " + file);
            }
            final Map<Source, Long> counts = new EnumMap<>(Source.class);
            for (final Source source : Source.values())
            {
                counts.put(source, header.getLongVolatile(countOffset(source)));
            }
            final StringBuilder errors = new StringBuilder();
            final java.util.List<String> texts = new java.util.ArrayList<>();
            final UnsafeBuffer log = new UnsafeBuffer(mapped, HEADER_LENGTH, (int)(file.length() - HEADER_LENGTH));
            final int distinct = ErrorLogReader.read(log, (count, firstMs, lastMs, text) ->
            {
                texts.add(text);
                errors.append(count).append(" time(s), first ").append(Instant.ofEpochMilli(firstMs))
                    .append(", last ").append(Instant.ofEpochMilli(lastMs)).append(System.lineSeparator())
                    .append(text).append(System.lineSeparator());
            });
            return new Report(header.getLong(PID_OFFSET), header.getLong(START_TIMESTAMP_OFFSET), counts,
                header.getLongVolatile(WARNINGS_OFFSET), distinct, errors.toString(), java.util.List.copyOf(texts));
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private static boolean isWarning(final Throwable throwable)
    {
        return throwable instanceof AeronException &&
            AeronException.Category.WARN == ((AeronException)throwable).category();
    }

    private static int countOffset(final Source source)
    {
        return COUNTS_OFFSET + source.ordinal() * Long.BYTES;
    }

    /**
     * What an error log holds.
     *
     * @param pid              of the process that wrote it.
     * @param startTimestampMs when that process started the log.
     * @param counts           errors per part of the node.
     * @param warnings         warnings (not errors) from all parts; the text of the first ones is in {@code errors}.
     * @param distinctErrors   number of distinct errors in {@code errors}.
     * @param errors           each distinct error with its count, first and last time, and stack trace.
     * @param errorTexts       the text (stack trace) of each distinct error or recorded warning.
     */
    public record Report(
        long pid,
        long startTimestampMs,
        Map<Source, Long> counts,
        long warnings,
        int distinctErrors,
        String errors,
        java.util.List<String> errorTexts)
    {
        /**
         * @return errors reported by all parts.
         */
        public long totalCount()
        {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        /**
         * Prints the report for an operator.
         *
         * @param out to print to.
         */
        public void print(final PrintWriter out)
        {
            out.println("process " + pid + ", started " + Instant.ofEpochMilli(startTimestampMs));
            counts.forEach((source, count) -> out.println(source.name().toLowerCase() + " errors: " + count));
            out.println("warnings: " + warnings);
            out.println(distinctErrors + " distinct error(s)");
            out.print(errors);
        }
    }
}
