package io.aerolog.archive;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PendingBatchesTest
{
    private final PendingBatches pending = new PendingBatches();

    @Test
    void shouldKeepBatchesInOrderAcrossWrapAndGrowth()
    {
        long next = 0;
        long expected = 0;
        // Interleave adds and removes so the ring wraps, then grow it well past its first capacity.
        for (int round = 0; round < 10; round++)
        {
            for (int i = 0; i < 100 * (round + 1); i++)
            {
                pending.add(next * 32, next, next + 1, 1000 + next, "session-" + next);
                next++;
            }
            for (int i = 0; i < 50 * (round + 1); i++)
            {
                assertHead(expected++);
                pending.removeHead();
            }
        }
        while (!pending.isEmpty())
        {
            assertHead(expected++);
            pending.removeHead();
        }
        assertThat(expected).isEqualTo(next);
    }

    @Test
    void shouldForgetEverythingOnClear()
    {
        pending.add(64, 0, 2, 7, "session");
        pending.clear();
        assertThat(pending.isEmpty()).isTrue();
        pending.add(128, 2, 3, 8, null);
        assertThat(pending.headBaseOffset()).isEqualTo(2);
        assertThat(pending.headSession()).isNull();
    }

    private void assertHead(final long n)
    {
        assertThat(pending.headEndPosition()).isEqualTo(n * 32);
        assertThat(pending.headBaseOffset()).isEqualTo(n);
        assertThat(pending.headEndOffset()).isEqualTo(n + 1);
        assertThat(pending.headCorrelationId()).isEqualTo(1000 + n);
        assertThat(pending.headSession()).isEqualTo("session-" + n);
    }
}
