package io.aerolog.client.partition;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The 32-bit MurmurHash2 as Kafka computes it in {@code org.apache.kafka.common.utils.Utils.murmur2(byte[])}, so that
 * keyed records map to the same partitions as with a Kafka producer: seed {@code 0x9747b28c}, little-endian 4-byte
 * words, and the tail mixed in by falling through on {@code length % 4}.
 */
public final class Murmur2
{
    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2()
    {
    }

    /**
     * Hash a byte array.
     *
     * @param data to hash.
     * @return the 32-bit hash, which may be negative.
     */
    @SuppressWarnings("fallthrough")
    public static int hash(final byte[] data)
    {
        final int length = data.length;
        int h = SEED ^ length;
        final int tail = length & ~3;

        for (int i = 0; i < tail; i += 4)
        {
            final int k = (data[i] & 0xff) |
                ((data[i + 1] & 0xff) << 8) |
                ((data[i + 2] & 0xff) << 16) |
                ((data[i + 3] & 0xff) << 24);
            h = mixWord(h, k);
        }

        int t = 0;
        switch (length & 3)
        {
            case 3:
                t ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                t ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                t ^= data[tail] & 0xff;
                h = (h ^ t) * M;
                break;
            default:
                break;
        }

        return finalMix(h);
    }

    /**
     * Hash a region of a buffer, giving the same result as {@link #hash(byte[])} over a copy of the region.
     *
     * @param buffer containing the bytes to hash.
     * @param offset in the buffer at which the region starts.
     * @param length of the region in bytes.
     * @return the 32-bit hash, which may be negative.
     */
    @SuppressWarnings("fallthrough")
    public static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int h = SEED ^ length;
        final int tail = offset + (length & ~3);

        for (int i = offset; i < tail; i += 4)
        {
            h = mixWord(h, buffer.getInt(i, ByteOrder.LITTLE_ENDIAN));
        }

        int t = 0;
        switch (length & 3)
        {
            case 3:
                t ^= (buffer.getByte(tail + 2) & 0xff) << 16;
                // fall through
            case 2:
                t ^= (buffer.getByte(tail + 1) & 0xff) << 8;
                // fall through
            case 1:
                t ^= buffer.getByte(tail) & 0xff;
                h = (h ^ t) * M;
                break;
            default:
                break;
        }

        return finalMix(h);
    }

    /**
     * Make a hash non-negative the way Kafka does, by clearing the sign bit rather than {@link Math#abs(int)}, which
     * stays negative for {@link Integer#MIN_VALUE}.
     *
     * @param n to make non-negative.
     * @return {@code n & 0x7fffffff}.
     */
    public static int toPositive(final int n)
    {
        return n & 0x7fffffff;
    }

    private static int mixWord(final int h, final int word)
    {
        int k = word * M;
        k ^= k >>> R;
        k *= M;

        return (h * M) ^ k;
    }

    private static int finalMix(final int hash)
    {
        int h = hash;
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;

        return h;
    }
}
