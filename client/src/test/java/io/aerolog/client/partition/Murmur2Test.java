package io.aerolog.client.partition;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class Murmur2Test
{
    // Kafka's UtilsTest.testMurmur2 vectors.
    private static final String[] STRINGS =
    {
        "21",
        "foobar",
        "a-little-bit-long-string",
        "a-little-bit-longer-string",
        "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
    };
    private static final int[] HASHES = { -973932308, -790332482, -985981536, -1486304829, -58897971 };

    @Test
    void shouldMatchKafkaVectorsForByteArrays()
    {
        for (int i = 0; i < STRINGS.length; i++)
        {
            assertThat(Murmur2.hash(STRINGS[i].getBytes(StandardCharsets.UTF_8))).as(STRINGS[i]).isEqualTo(HASHES[i]);
        }

        assertThat(Murmur2.hash(new byte[]{ 'a', 'b', 'c' })).isEqualTo(479470107);
    }

    @Test
    void shouldMatchKafkaVectorsForBufferRegions()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        for (int i = 0; i < STRINGS.length; i++)
        {
            final byte[] bytes = STRINGS[i].getBytes(StandardCharsets.UTF_8);
            final int offset = 3 + i; // unaligned, and bytes either side of the region must not matter
            buffer.setMemory(0, buffer.capacity(), (byte)0x5a);
            buffer.putBytes(offset, bytes);

            assertThat(Murmur2.hash(buffer, offset, bytes.length)).as(STRINGS[i]).isEqualTo(HASHES[i]);
        }

        buffer.putBytes(7, new byte[]{ 'a', 'b', 'c' });
        assertThat(Murmur2.hash(buffer, 7, 3)).isEqualTo(479470107);
    }

    @Test
    void shouldHashBufferRegionAsByteArrayForAllTailLengths()
    {
        final Random random = new Random(42);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        for (int length = 0; length <= 64; length++)
        {
            final byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            final int offset = random.nextInt(64);
            buffer.putBytes(offset, bytes);

            assertThat(Murmur2.hash(buffer, offset, length)).as("length %d", length).isEqualTo(Murmur2.hash(bytes));
        }
    }

    @Test
    void shouldMakeHashPositiveByClearingSignBit()
    {
        assertThat(Murmur2.toPositive(-790332482)).isEqualTo(-790332482 & 0x7fffffff);
        assertThat(Murmur2.toPositive(Integer.MIN_VALUE)).isZero();
        assertThat(Murmur2.toPositive(-1)).isEqualTo(Integer.MAX_VALUE);
        assertThat(Murmur2.toPositive(12345)).isEqualTo(12345);
    }
}
