package io.aerolog.perf;

import io.aerolog.client.partition.Murmur2;
import io.aerolog.sequencer.OffsetIndex;
import io.aerolog.sequencer.PartitionSequencer;
import io.aerolog.transport.RecordSetReader;
import io.aerolog.transport.RecordSetWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Microbenchmarks of the pieces every record passes through: key partitioning, encoding a record into a batch,
 * validating and reading a batch, sequencing and indexing a batch. Run with {@code -prof gc} to see allocation per
 * operation (the target is 0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class DataPathBenchmark
{
    private static final int RECORDS_PER_BATCH = 10;

    private final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
    private final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final RecordSetWriter writer = new RecordSetWriter();
    private final RecordSetReader reader = new RecordSetReader();
    private final OffsetIndex.Entry entry = new OffsetIndex.Entry();
    private int batchLength;
    private PartitionSequencer sequencer;
    private OffsetIndex index;
    private final OffsetIndex lookupIndex = new OffsetIndex(4096, 16 * 1024 * 1024);
    private long lookups;
    private int sequence;
    private long position;

    /** Builds one batch to read and fresh sequencer state. */
    @Setup
    public void setup()
    {
        key.putStringWithoutLengthAscii(0, "key-000000000001");
        writer.begin(batch, 0);
        for (int i = 0; i < RECORDS_PER_BATCH; i++)
        {
            writer.append(i, key, 0, key.capacity(), value, 0, value.capacity());
        }
        batchLength = writer.seal();
        sequencer = new PartitionSequencer(0);
        index = new OffsetIndex(4096, 16 * 1024 * 1024);
        for (long i = 0, pos = 0; i < 100_000; i++, pos += 1376)
        {
            lookupIndex.onBatch(i * RECORDS_PER_BATCH, RECORDS_PER_BATCH, pos, pos + 1376, i);
        }
    }

    /** @return partition of a 16-byte key over 12 partitions (Kafka's murmur2). */
    @Benchmark
    public int partitionKey()
    {
        return Murmur2.toPositive(Murmur2.hash(key, 0, key.capacity())) % 12;
    }

    /** @return length of a batch of 10 records of 100 bytes, encoded. */
    @Benchmark
    public int encodeBatch()
    {
        writer.begin(batch, 0);
        for (int i = 0; i < RECORDS_PER_BATCH; i++)
        {
            writer.append(i, key, 0, key.capacity(), value, 0, value.capacity());
        }
        return writer.seal();
    }

    /** @return max timestamp of the batch, from the broker's validation walk. */
    @Benchmark
    public long validateBatch()
    {
        return reader.validate(batch, 0, batchLength, RECORDS_PER_BATCH);
    }

    /** @return base offset given to a batch after the idempotence check, with the index updated. */
    @Benchmark
    public long sequenceAndIndexBatch()
    {
        final int baseSequence = sequence;
        sequence += RECORDS_PER_BATCH;
        if (PartitionSequencer.ACCEPT != sequencer.check(7, (short)0, baseSequence, RECORDS_PER_BATCH))
        {
            throw new IllegalStateException();
        }
        final long baseOffset = sequencer.append(7, (short)0, baseSequence, RECORDS_PER_BATCH);
        final long start = position;
        position += 1376;
        index.onBatch(baseOffset, RECORDS_PER_BATCH, start, position, baseOffset);
        return baseOffset;
    }

    /** @return position found for an offset: a floor lookup in a sparse index of 100,000 batches. */
    @Benchmark
    public long indexLookup()
    {
        lookups += 7919;
        lookupIndex.floorByOffset(lookups % lookupIndex.logEndOffset(), entry);
        return entry.position();
    }
}
