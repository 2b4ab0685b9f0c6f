package io.aerolog.broker;

import io.aerolog.transport.Channels;
import io.aerolog.transport.StreamIds;
import io.aerolog.transport.Wire;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectChannelPolicyTest
{
    private static final int SESSION = 0x1234_5678;
    private static final String SOURCE = "127.0.0.1:40123";

    @Test
    void acceptsWhatTheClientLibrarySendsOverIpcAndBuildsTheChannelsItself()
    {
        final ConnectChannelPolicy.Verdict verdict = ConnectChannelPolicy.check(true, "aeron:ipc", SESSION,
            Channels.ipcIngress(), StreamIds.ipcResponseStreamId(SESSION), "aeron:ipc",
            StreamIds.ipcDataStreamId(SESSION));
        assertThat(verdict.isAccepted()).as(verdict.toString()).isTrue();
        assertThat(verdict.responseChannel).isEqualTo(Channels.ipcIngress());
        assertThat(verdict.dataChannel).isEqualTo("aeron:ipc");
    }

    @Test
    void refusesIpcStreamsThatAreNotDerivedFromTheClientsOwnSession()
    {
        // a partition's stream (the archive would record the broker's answers into the partition's log)
        assertRefused(ConnectChannelPolicy.check(true, "aeron:ipc", SESSION, "aeron:ipc", StreamIds.FIRST_PARTITION,
            "aeron:ipc", StreamIds.ipcDataStreamId(SESSION)));
        // an internal stream, and the client protocol's own request stream
        assertRefused(ConnectChannelPolicy.check(true, "aeron:ipc", SESSION, "aeron:ipc",
            StreamIds.ARCHIVE_LOCAL_CONTROL, "aeron:ipc", StreamIds.ipcDataStreamId(SESSION)));
        assertRefused(ConnectChannelPolicy.check(true, "aeron:ipc", SESSION, "aeron:ipc", Wire.CONTROL_STREAM_ID,
            "aeron:ipc", StreamIds.ipcDataStreamId(SESSION)));
        // another client's streams
        assertRefused(ConnectChannelPolicy.check(true, "aeron:ipc", SESSION, "aeron:ipc",
            StreamIds.ipcResponseStreamId(SESSION + 1), "aeron:ipc", StreamIds.ipcDataStreamId(SESSION + 1)));
        // data on a partition's stream
        assertRefused(ConnectChannelPolicy.check(true, "aeron:ipc", SESSION, "aeron:ipc",
            StreamIds.ipcResponseStreamId(SESSION), "aeron:ipc", StreamIds.FIRST_PARTITION + 7));
    }

    @Test
    void refusesTransportsTheRequestDidNotComeOn()
    {
        assertRefused(ConnectChannelPolicy.check(false, SOURCE, SESSION, "aeron:ipc",
            StreamIds.ipcResponseStreamId(SESSION), "aeron:ipc", StreamIds.ipcDataStreamId(SESSION)));
        assertRefused(ConnectChannelPolicy.check(true, "aeron:ipc", SESSION, "aeron:udp?endpoint=127.0.0.1:5000",
            Wire.RESPONSE_STREAM_ID, "aeron:udp?endpoint=127.0.0.1:5001", Wire.DATA_STREAM_ID));
    }

    @Test
    void acceptsUdpEndpointsOnTheSendersAddressOnly()
    {
        final ConnectChannelPolicy.Verdict verdict = ConnectChannelPolicy.check(false, SOURCE, SESSION,
            Channels.udpClientSend("127.0.0.1:5000"), Wire.RESPONSE_STREAM_ID, "aeron:udp?endpoint=127.0.0.1:5001",
            Wire.DATA_STREAM_ID);
        assertThat(verdict.isAccepted()).as(verdict.toString()).isTrue();
        assertThat(verdict.responseChannel).isEqualTo(Channels.udpClientSend("127.0.0.1:5000"));
        assertThat(verdict.dataChannel).isEqualTo("aeron:udp?endpoint=127.0.0.1:5001");

        assertRefused(udp("aeron:udp?endpoint=10.0.0.9:5000", Wire.RESPONSE_STREAM_ID)); // another host
        assertRefused(udp("aeron:udp?endpoint=224.0.1.1:5000", Wire.RESPONSE_STREAM_ID)); // multicast
        assertRefused(udp("aeron:udp?endpoint=127.0.0.10:5000", Wire.RESPONSE_STREAM_ID)); // prefix of the host
        assertRefused(udp("aeron:udp?endpoint=127.0.0.1", Wire.RESPONSE_STREAM_ID)); // no port
        assertRefused(udp("aeron:udp?endpoint=127.0.0.1:0", Wire.RESPONSE_STREAM_ID));
        assertRefused(udp("aeron:udp?endpoint=127.0.0.1:70000", Wire.RESPONSE_STREAM_ID));
        assertRefused(udp("aeron:udp?endpoint=127.0.0.1:50x0", Wire.RESPONSE_STREAM_ID));
        assertRefused(udp("aeron:udp?control=127.0.0.1:5000|control-mode=dynamic", Wire.RESPONSE_STREAM_ID));
        assertRefused(udp("aeron:udp?endpoint=127.0.0.1:5000", StreamIds.FIRST_PARTITION)); // partition stream
        assertRefused(udp("aeron:udp?endpoint=127.0.0.1:5000", Wire.CONTROL_STREAM_ID));
        assertRefused(udp("aeron:udp?endpoint=127.0.0.1:5000", 101)); // an internal stream
    }

    @Test
    void refusesLongAndUnparseableChannels()
    {
        assertRefused(udp("aeron:udp?endpoint=127.0.0.1:5000|alias=" + "x".repeat(300), Wire.RESPONSE_STREAM_ID));
        assertRefused(udp("not a channel", Wire.RESPONSE_STREAM_ID));
        assertRefused(udp("", Wire.RESPONSE_STREAM_ID));
        assertRefused(ConnectChannelPolicy.check(false, null, SESSION, "aeron:udp?endpoint=127.0.0.1:5000",
            Wire.RESPONSE_STREAM_ID, "aeron:udp?endpoint=127.0.0.1:5001", Wire.DATA_STREAM_ID));
    }

    private static ConnectChannelPolicy.Verdict udp(final String responseChannel, final int responseStreamId)
    {
        return ConnectChannelPolicy.check(false, SOURCE, SESSION, responseChannel, responseStreamId,
            "aeron:udp?endpoint=127.0.0.1:5001", Wire.DATA_STREAM_ID);
    }

    private static void assertRefused(final ConnectChannelPolicy.Verdict verdict)
    {
        assertThat(verdict.isAccepted()).as(verdict.toString()).isFalse();
        assertThat(verdict.problem).isNotBlank();
    }
}
