package io.aerolog.transport;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BoundedFragmentAssemblerTest
{
    private static final int MAX = 4096;

    private MediaDriver driver;
    private Aeron aeron;
    private final List<Integer> delivered = new ArrayList<>();
    private final IntArrayList oversized = new IntArrayList();
    private BoundedFragmentAssembler assembler;

    @BeforeEach
    void start()
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context().threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true).dirDeleteOnShutdown(true).termBufferSparseFile(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        assembler = new BoundedFragmentAssembler(
            (buffer, offset, length, header) -> delivered.add(length), MAX, 2, oversized::addInt);
    }

    @AfterEach
    void stop()
    {
        aeron.close();
        driver.close();
    }

    @Test
    void deliversMessagesWithinTheBoundDropsLongerOnesAndFreesADepartedSendersBuffer()
    {
        final Subscription subscription = aeron.addSubscription(CommonContext.IPC_CHANNEL, 1001, image -> { },
            image -> assembler.freeSessionBuffer(image.sessionId()));
        final Publication publication = aeron.addExclusivePublication(CommonContext.IPC_CHANNEL, 1001);
        await().until(publication::isConnected);
        assertThat(publication.maxPayloadLength()).isLessThan(MAX); // so 3 KiB is fragmented

        offer(publication, 3000);   // fragmented, within the bound
        offer(publication, 10_000); // fragmented, over the bound: dropped
        offer(publication, 100);    // unfragmented
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            subscription.poll(assembler, 100);
            return delivered.size() == 2;
        });
        assertThat(delivered).containsExactly(3000, 100);
        assertThat(oversized).containsExactly(publication.sessionId());
        assertThat(assembler.sessionCount()).isEqualTo(1);

        publication.close();
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            subscription.poll(assembler, 100);
            return 0 == assembler.sessionCount();
        });
    }

    @Test
    void boundsTheNumberOfSendersReassemblingAtOnce()
    {
        final Subscription subscription = aeron.addSubscription(CommonContext.IPC_CHANNEL, 1002);
        final Publication[] publications = new Publication[3];
        for (int i = 0; i < publications.length; i++)
        {
            publications[i] = aeron.addExclusivePublication(CommonContext.IPC_CHANNEL, 1002);
        }
        await().until(() -> publications[2].isConnected() && subscription.imageCount() == 3);
        for (final Publication publication : publications)
        {
            offer(publication, 3000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            subscription.poll(assembler, 100);
            return delivered.size() + oversized.size() == 3;
        });
        assertThat(delivered).hasSize(2);
        assertThat(oversized).hasSize(1);
        assertThat(assembler.sessionCount()).isEqualTo(2);
    }

    @Test
    void aControlledPollThatAbortsAWholeMessageGetsItAgainIntact()
    {
        final Subscription subscription = aeron.addSubscription(CommonContext.IPC_CHANNEL, 1003);
        final Publication publication = aeron.addExclusivePublication(CommonContext.IPC_CHANNEL, 1003);
        await().until(publication::isConnected);
        final int[] aborts = {2};
        final List<Integer> lengths = new ArrayList<>();
        final BoundedControlledFragmentAssembler controlled = new BoundedControlledFragmentAssembler(
            (buffer, offset, length, header) ->
            {
                if (aborts[0]-- > 0)
                {
                    return io.aeron.logbuffer.ControlledFragmentHandler.Action.ABORT;
                }
                assertThat(buffer.getByte(offset + length - 1)).isEqualTo((byte)7);
                lengths.add(length);
                return io.aeron.logbuffer.ControlledFragmentHandler.Action.CONTINUE;
            }, MAX, oversized::addInt);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[3000]);
        message.setMemory(0, 3000, (byte)7);
        await().atMost(Duration.ofSeconds(10)).until(() -> publication.offer(message) > 0);
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            subscription.controlledPoll(controlled, 100);
            return !lengths.isEmpty();
        });
        assertThat(lengths).containsExactly(3000);
        assertThat(oversized).isEmpty();
    }

    private static void offer(final Publication publication, final int length)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[length]);
        await().atMost(Duration.ofSeconds(10)).until(() -> publication.offer(message) > 0);
    }
}
