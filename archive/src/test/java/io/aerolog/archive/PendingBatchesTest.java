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

    @Test
    void shouldAnswerAcksOneAtTheLocalHeadAndAcksAllAtTheHighWatermark()
    {
        pending.add(100, 0, 1, 1, "one", false);
        pending.add(200, 1, 2, 2, "all", true);
        pending.add(300, 2, 3, 3, null, false);

        // Recorded here up to 250: the acks=1 batch is due, the acks=all one waits, the third is not recorded.
        assertThat(pending.localEndPosition()).isEqualTo(100);
        assertThat(pending.localSession()).isEqualTo("one");
        pending.advanceLocal();
        assertThat(pending.localSession()).as("acks=all is not due at the local head").isNull();
        assertThat(pending.localEndPosition()).isEqualTo(200);
        pending.advanceLocal();
        assertThat(pending.hasLocal()).isTrue();
        assertThat(pending.localEndPosition()).isEqualTo(300);

        // The high watermark passes the first batch: its answer went already.
        assertThat(pending.headSession()).isNull();
        pending.removeHead();
        assertThat(pending.headSession()).isEqualTo("all");
        assertThat(pending.headEndOffset()).isEqualTo(2);
        pending.removeHead();
        // The high watermark passes a batch the local head has not: the local head follows.
        pending.removeHead();
        assertThat(pending.isEmpty()).isTrue();
        assertThat(pending.hasLocal()).isFalse();
    }

    @Test
    void shouldFailOnlyTheBatchesWaitingForTheHighWatermark()
    {
        pending.add(100, 0, 1, 1, "one", false);
        pending.add(200, 1, 2, 2, "all", true);
        final java.util.List<Object> answered = new java.util.ArrayList<>();
        pending.failWaiting((session, correlationId, baseOffset) -> answered.add(session + "@" + baseOffset));
        assertThat(answered).containsExactly("all@1");
        assertThat(pending.size()).as("the batches stay for the high watermark offset").isEqualTo(2);
        pending.failAll((session, correlationId, baseOffset) -> answered.add(session + "#" + correlationId));
        assertThat(answered).containsExactly("all@1", "one#1");
        assertThat(pending.isEmpty()).isTrue();
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
