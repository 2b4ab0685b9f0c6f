package io.aerolog.systemtest;

import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker's counters count every event once, even when the control path and the data path answer errors at the
 * same moment (each path has counters of its own, written by its thread only).
 */
class CountersTest
{
    private static final int REQUESTS_PER_PATH = 2_000;

    @TempDir
    File dir;

    @Test
    void errorAnswersOnBothPathsAtOnceAreAllCounted() throws Exception
    {
        try (TestBroker broker = TestBroker.launch(dir);
            RawClient producer = RawClient.ipc(broker.broker().context().aeronDirectoryName());
            RawClient admin = RawClient.ipc(broker.broker().context().aeronDirectoryName()))
        {
            producer.connect();
            admin.connect();
            final long before = broker.broker().errorResponses();

            final CompletableFuture<Void> dataPath = CompletableFuture.runAsync(() ->
            {
                for (int i = 0; i < REQUESTS_PER_PATH; i++)
                {
                    final long correlationId = producer.nextCorrelationId();
                    producer.sendProduce(producer.produceRequest(
                        correlationId, 424242, 0, -1, 0, Acks.LEADER, "to nowhere"));
                    assertThat(producer.awaitProduceResponse(correlationId).code())
                        .isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER); // no log here: the partition is led elsewhere
                }
            });
            final CompletableFuture<Void> controlPath = CompletableFuture.runAsync(() ->
            {
                for (int i = 0; i < REQUESTS_PER_PATH; i++)
                {
                    assertThat(admin.listTopicsAs(admin.clientSessionId() + 1)).isEqualTo(ErrorCode.UNKNOWN_SESSION);
                }
            });
            CompletableFuture.allOf(dataPath, controlPath).get();

            assertThat(broker.broker().errorResponses() - before).isEqualTo(2L * REQUESTS_PER_PATH);
            broker.assertNoErrors();
        }
    }
}
