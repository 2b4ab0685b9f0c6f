package io.aerolog.kafka;

import io.aerolog.client.ConsumedRecord;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.RecordHandler;
import io.aerolog.client.TopicPartition;

import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's reading: a native consumer assigned every partition the connection fetches, and per partition
 * a cursor with the records read ahead of the client's next fetch. A fetch at the cursor's position is served from
 * what was read; any other offset moves the consumer there (a new replay from that offset). Listener thread only.
 */
final class FetchSession implements AutoCloseable
{
    private static final int POLL_RECORDS = 500;
    private static final int READ_AHEAD_BYTES = 4 * 1024 * 1024;

    private final Consumer consumer;
    private final Map<TopicPartition, Cursor> cursors = new HashMap<>();
    private final RecordHandler bufferer = this::buffer;
    private int bufferedBytes;

    /** Where a partition is read to, and what was read ahead. */
    static final class Cursor
    {
        final TopicPartition partition;
        final ArrayDeque<ConsumerRecord> readAhead = new ArrayDeque<>();
        long position;
        int bytes;
        long highWatermark = -1;
        long logStartOffset = -1;

        Cursor(final TopicPartition partition, final long position)
        {
            this.partition = partition;
            this.position = position;
        }
    }

    FetchSession(final Consumer consumer)
    {
        this.consumer = consumer;
    }

    /**
     * @param partition to read.
     * @param offset    the client fetches from.
     * @return whether the consumer has to move there (the offset must then be checked against the log).
     */
    boolean needsPositioning(final TopicPartition partition, final long offset)
    {
        final Cursor cursor = cursors.get(partition);
        return null == cursor || cursor.position != offset;
    }

    /**
     * Makes the partition's cursor stand at an offset: kept if it stands there, moved (and its read-ahead
     * dropped) if not.
     *
     * @param partition to read.
     * @param offset    the client fetches from.
     * @return the cursor.
     */
    Cursor position(final TopicPartition partition, final long offset)
    {
        Cursor cursor = cursors.get(partition);
        if (null == cursor)
        {
            cursor = new Cursor(partition, offset);
            cursors.put(partition, cursor);
            consumer.assign(new ArrayList<>(cursors.keySet()));
            for (final Cursor other : cursors.values())
            {
                drop(other);
                consumer.seek(other.partition, other.position); // a new assignment starts every partition afresh
            }
            return cursor;
        }
        if (cursor.position != offset)
        {
            drop(cursor);
            cursor.position = offset;
            consumer.seek(partition, offset);
        }
        return cursor;
    }

    private void drop(final Cursor cursor)
    {
        bufferedBytes -= cursor.bytes;
        cursor.readAhead.clear();
        cursor.bytes = 0;
    }

    /**
     * Reads what the consumer has, without waiting, into the cursors' read-ahead (bounded).
     *
     * @return records read.
     */
    int poll()
    {
        int read = 0;
        int polled;
        // Everything there is, up to the read-ahead bound: a catch-up fetch gets a full answer at once.
        while (bufferedBytes < READ_AHEAD_BYTES && (polled = consumer.poll(bufferer, POLL_RECORDS)) > 0)
        {
            read += polled;
        }
        return read;
    }

    /**
     * Takes records from a cursor up to a byte budget (at least one record if it has any, as Kafka sends the
     * first batch even when it is larger than the budget) and moves the cursor past them.
     *
     * @param cursor   to take from.
     * @param maxBytes budget.
     * @return the records taken, possibly none.
     */
    List<ConsumerRecord> take(final Cursor cursor, final int maxBytes)
    {
        final List<ConsumerRecord> taken = new ArrayList<>();
        int bytes = 0;
        while (!cursor.readAhead.isEmpty())
        {
            final ConsumerRecord next = cursor.readAhead.peek();
            final int size = KafkaBatches.sizeOf(next);
            if (!taken.isEmpty() && bytes + size > maxBytes)
            {
                break;
            }
            cursor.readAhead.poll();
            cursor.bytes -= size;
            bufferedBytes -= size;
            bytes += size;
            taken.add(next);
            cursor.position = next.offset() + 1;
        }
        return taken;
    }

    boolean hasRecords(final Cursor cursor)
    {
        return !cursor.readAhead.isEmpty();
    }

    private void buffer(final ConsumedRecord record)
    {
        final Cursor cursor = cursors.get(new TopicPartition(record.topic(), record.partition()));
        if (null == cursor)
        {
            return;
        }
        if (record.offset() < cursor.position ||
            (!cursor.readAhead.isEmpty() && record.offset() <= cursor.readAhead.peekLast().offset()))
        {
            return; // before the cursor (a replay starts at its batch's first record)
        }
        final List<Map.Entry<String, byte[]>> headers = new ArrayList<>(record.headerCount());
        for (int i = 0; i < record.headerCount(); i++)
        {
            headers.add(new AbstractMap.SimpleImmutableEntry<>(record.headerKey(i), record.headerValueBytes(i)));
        }
        final ConsumerRecord copy = new ConsumerRecord(record.topic(), record.partition(), record.offset(),
            record.timestamp(), record.hasKey() ? record.keyBytes() : null,
            record.hasValue() ? record.valueBytes() : null, headers);
        final int size = KafkaBatches.sizeOf(copy);
        cursor.readAhead.add(copy);
        cursor.bytes += size;
        bufferedBytes += size;
    }

    @Override
    public void close()
    {
        consumer.close();
    }
}
