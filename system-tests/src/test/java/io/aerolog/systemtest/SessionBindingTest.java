package io.aerolog.systemtest;

import io.aerolog.client.Consumer;
import io.aerolog.client.Producer;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.transport.StreamIds;
import io.aerolog.transport.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client's session is its own: the broker answers only where the request's transport allows, a session acts only
 * through the image that opened it, and its id cannot be guessed. Each case is something a stranger on the same
 * host or network could once do with one frame.
 */
class SessionBindingTest
{
    private static final long NO_ANSWER_WAIT_MS = 1_000;

    @TempDir
    File dir;

    @Test
    void aConnectNamingAPartitionsStreamIsRefusedAndTheTopicSurvivesARestart()
    {
        try (TestBroker broker = TestBroker.launch(dir))
        {
            broker.createTopic("kept", 1);
            try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
            {
                Records.produce(producer, "kept", 0, "k", 20);
            }
            final long rejectedBefore = broker.broker().rejectedFrames();
            try (RawClient stranger = RawClient.ipc(broker.broker().context().aeronDirectoryName()))
            {
                final int ownData = StreamIds.ipcDataStreamId(stranger.controlSessionId());
                // Answers on the partitions' streams would be recorded into their logs (partition streams run
                // from the first partition id up): refused, whether as the response or the data stream.
                for (int streamId = StreamIds.FIRST_PARTITION; streamId < StreamIds.FIRST_PARTITION + 4; streamId++)
                {
                    assertThat(stranger.connectNaming("aeron:ipc", streamId, "aeron:ipc", ownData,
                        stranger.produceSessionId(), NO_ANSWER_WAIT_MS)).isNull();
                    assertThat(stranger.connectNaming(stranger.responseChannelForBroker(),
                        stranger.responseStreamId(), "aeron:ipc", streamId, stranger.produceSessionId(),
                        NO_ANSWER_WAIT_MS)).isNull();
                }
            }
            assertThat(broker.broker().rejectedFrames()).isEqualTo(rejectedBefore + 8);

            broker.restart();
            try (Consumer consumer = Consumer.connect(broker.ipc(),
                new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST));
                Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
            {
                consumer.assignAll("kept");
                Records.assertDense(Records.consumeExactly(consumer, 20), 0);
                assertThat(Records.produce(producer, "kept", 0, "after", 1).get(0).offset()).isEqualTo(20);
            }
            broker.assertNoErrors();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStrangerCannotActInAnotherClientsSession(final Transport transport)
    {
        try (TestBroker broker = TestBroker.launch(dir);
            RawClient victim = raw(broker, transport);
            RawClient stranger = raw(broker, transport))
        {
            final long victimId = victim.connect();
            final long strangerId = stranger.connect();
            assertThat(strangerId).isNotEqualTo(victimId);

            // A request or a goodbye naming the victim's session from another image is refused.
            assertThat(stranger.listTopicsAs(victimId)).isEqualTo(ErrorCode.UNKNOWN_SESSION);
            stranger.disconnect(victimId);
            assertThat(stranger.listTopicsAs(victimId)).isEqualTo(ErrorCode.UNKNOWN_SESSION);
            assertThat(victim.listTopicsAs(victimId)).isEqualTo(ErrorCode.NONE);
            assertThat(broker.broker().clientSessions()).isEqualTo(2);

            // Nor can a stranger claim the victim's produce stream as its own.
            final RawClient.ConnectAnswer claim = stranger.connectNaming(stranger.responseChannelForBroker(),
                stranger.responseStreamId(), dataChannel(stranger, transport), dataStream(stranger, transport),
                victim.produceSessionId(), 5_000);
            assertThat(claim).isNotNull();
            assertThat(claim.code()).as(claim.message()).isEqualTo(ErrorCode.INVALID_REQUEST);

            // Its own session still works, and a goodbye from its own image closes it.
            assertThat(stranger.listTopicsAs(strangerId)).isEqualTo(ErrorCode.NONE);
            stranger.disconnect(strangerId);
            await().atMost(Duration.ofSeconds(5)).until(() -> 1 == broker.broker().clientSessions());
            assertThat(victim.listTopicsAs(victimId)).isEqualTo(ErrorCode.NONE);
            broker.assertNoErrors();
        }
    }

    @Test
    void sessionIdsCannotBeGuessedFromOneAnother()
    {
        try (TestBroker broker = TestBroker.launch(dir))
        {
            final List<RawClient> clients = new ArrayList<>();
            final List<Long> ids = new ArrayList<>();
            try
            {
                for (int i = 0; i < 6; i++)
                {
                    final RawClient client = RawClient.ipc(broker.broker().context().aeronDirectoryName());
                    clients.add(client);
                    ids.add(client.connect());
                }
                for (int i = 0; i < ids.size(); i++)
                {
                    assertThat(ids.get(i)).isPositive();
                    for (int j = i + 1; j < ids.size(); j++)
                    {
                        // 63 random bits each: neighbours would mean a counter
                        assertThat(Math.abs(ids.get(i) - ids.get(j))).isGreaterThan(1_000_000L);
                    }
                }
            }
            finally
            {
                clients.forEach(RawClient::close);
            }
        }
    }

    @Test
    void aUdpClientIsAnsweredOnlyOnTheAddressItSentFrom()
    {
        try (TestBroker broker = TestBroker.launch(dir);
            RawClient stranger = RawClient.udp(broker.broker().context().host(), broker.portBase()))
        {
            final long rejectedBefore = broker.broker().rejectedFrames();
            assertThat(stranger.connectNaming("aeron:udp?endpoint=127.0.0.2:40123", Wire.RESPONSE_STREAM_ID,
                "aeron:udp?endpoint=127.0.0.2:40124", Wire.DATA_STREAM_ID, stranger.produceSessionId(),
                NO_ANSWER_WAIT_MS)).isNull();
            assertThat(stranger.connectNaming("aeron:udp?endpoint=224.0.1.1:40123", Wire.RESPONSE_STREAM_ID,
                "aeron:udp?endpoint=224.0.1.1:40124", Wire.DATA_STREAM_ID, stranger.produceSessionId(),
                NO_ANSWER_WAIT_MS)).isNull();
            assertThat(stranger.connectNaming("aeron:ipc", StreamIds.ipcResponseStreamId(stranger.controlSessionId()),
                "aeron:ipc", StreamIds.ipcDataStreamId(stranger.controlSessionId()), stranger.produceSessionId(),
                NO_ANSWER_WAIT_MS)).isNull();
            assertThat(broker.broker().rejectedFrames()).isEqualTo(rejectedBefore + 3);
            assertThat(stranger.connect()).isPositive(); // and what a real client names is served
            broker.assertNoErrors();
        }
    }

    @Test
    void theSessionLimitIsAnAnswerNotGrowth()
    {
        try (TestBroker broker = TestBroker.launch(dir, (ctx) -> ctx.maxClientSessions(2));
            RawClient first = RawClient.ipc(broker.broker().context().aeronDirectoryName());
            RawClient second = RawClient.ipc(broker.broker().context().aeronDirectoryName());
            RawClient third = RawClient.ipc(broker.broker().context().aeronDirectoryName()))
        {
            first.connect();
            second.connect();
            final RawClient.ConnectAnswer refused = third.connectNaming(third.responseChannelForBroker(),
                third.responseStreamId(), "aeron:ipc", StreamIds.ipcDataStreamId(third.controlSessionId()),
                third.produceSessionId(), 5_000);
            assertThat(refused).isNotNull();
            assertThat(refused.code()).as(refused.message()).isEqualTo(ErrorCode.LIMIT_REACHED);
            assertThat(broker.broker().clientSessions()).isEqualTo(2);

            first.disconnect(first.clientSessionId());
            await().atMost(Duration.ofSeconds(5)).until(() -> 1 == broker.broker().clientSessions());
            assertThat(third.connect()).isPositive();
            broker.assertNoErrors();
        }
    }

    private static RawClient raw(final TestBroker broker, final Transport transport)
    {
        return Transport.IPC == transport ?
            RawClient.ipc(broker.broker().context().aeronDirectoryName()) :
            RawClient.udp(broker.broker().context().host(), broker.portBase());
    }

    private static String dataChannel(final RawClient client, final Transport transport)
    {
        return Transport.IPC == transport ? "aeron:ipc" : client.responseChannelForBroker();
    }

    private static int dataStream(final RawClient client, final Transport transport)
    {
        return Transport.IPC == transport ? StreamIds.ipcDataStreamId(client.controlSessionId()) : Wire.DATA_STREAM_ID;
    }
}
