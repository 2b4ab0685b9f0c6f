package io.aerolog.cluster;

import io.aerolog.node.NodePorts;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.node.NodeSecret;
import io.aerolog.transport.StreamIds;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.security.AuthenticationException;
import io.aeron.security.CredentialsSupplier;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real controller node (driver, archive, consensus module, service) against strangers: Aeron clients on another
 * media driver, as a process on the same host or network would run them, without the node secret or with a wrong
 * one.
 */
@Timeout(120)
class NodeSecurityTest
{
    private static final long TIMEOUT_MS = 15_000;
    private static final NodeSecret WRONG = NodeSecret.of("not-the-secret-of-this-node");

    @TempDir
    Path tempDir;

    private int portBase;
    private ControllerNode node;
    private MediaDriver strangerDriver;
    private Aeron stranger;

    @BeforeEach
    void setUp()
    {
        portBase = 21_000 + 10 * ThreadLocalRandom.current().nextInt(1000);
        node = ControllerNode.launch(new ControllerNode.Context()
            .baseDir(tempDir.resolve("node").toFile())
            .portBase(portBase)
            .archiveNetworkControl(true) // as a node of several members has it: strangers reach it over UDP
            .aeronDirectoryName(tempDir.resolve("aeron").toString()));
        assertThat(node.awaitLeader(TIMEOUT_MS)).isTrue();
        strangerDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(tempDir.resolve("stranger-aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        stranger = Aeron.connect(new Aeron.Context().aeronDirectoryName(strangerDriver.aeronDirectoryName()));
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(stranger, strangerDriver, node);
    }

    @Test
    void archiveShouldRefuseAStrangerWithoutOrWithAWrongSecret()
    {
        final long admittedBefore = node.archiveAdmittedSessions();

        assertThatThrownBy(() -> connectArchive(stranger, null).close())
            .isInstanceOf(ArchiveException.class);
        assertThatThrownBy(() -> connectArchive(stranger, credentials(WRONG.bytes())).close())
            .isInstanceOf(ArchiveException.class);
        // A local process on the node's own driver, over the archive's IPC control channel.
        try (Aeron local = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName())))
        {
            assertThatThrownBy(() -> AeronArchive.connect(
                ControllerNode.localArchiveContext(node.context(), node.archiveContext())
                    .aeron(local)
                    .credentialsSupplier(credentials(WRONG.bytes()))
                    .controlResponseStreamId(StreamIds.FIRST_INTERNAL + 50)
                    .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5))).close())
                .isInstanceOf(ArchiveException.class);
        }

        assertThat(node.archiveRejectedSessions()).isEqualTo(3);
        assertThat(node.archiveAdmittedSessions()).isEqualTo(admittedBefore);
    }

    @Test
    void archiveShouldServeOnlyAClientWithTheSecret()
    {
        try (AeronArchive archive = connectArchive(stranger, credentials(node.context().secret().bytes())))
        {
            final int[] descriptors = new int[1];
            archive.listRecordings(0, 100, (controlSessionId, correlationId, recordingId, startTimestamp,
                stopTimestamp, startPosition, stopPosition, initialTermId, segmentFileLength, termBufferLength,
                mtuLength, sessionId, streamId, strippedChannel, originalChannel, sourceIdentity) -> descriptors[0]++);
            assertThat(descriptors[0]).as("the cluster log is recorded").isGreaterThan(0);
        }
        assertThat(node.archiveRejectedSessions()).isZero();
    }

    @Test
    void clusterIngressShouldRefuseAStrangerWithoutOrWithAWrongSecret()
    {
        final String endpoints = node.context().ingressEndpoints();
        final String egress = "aeron:udp?endpoint=127.0.0.1:0";

        assertThatThrownBy(() -> AeronCluster.connect(ControllerClient.context(stranger, endpoints, egress, WRONG)
            .credentialsSupplier(credentials(new byte[0]))
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5))).close())
            .isInstanceOf(AuthenticationException.class);
        assertThatThrownBy(() -> AeronCluster.connect(ControllerClient.context(stranger, endpoints, egress, WRONG)
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5))).close())
            .isInstanceOf(AuthenticationException.class);
        assertThat(node.ingressRejectedSessions()).isEqualTo(2);

        final ControllerListener ignore = new ControllerListener()
        {
            public void onCommandResult(
                final long correlationId, final int code, final int topicId, final long value, final String message)
            {
            }

            public void onTopicEvent(final long correlationId, final TopicEventType type, final TopicMetadata topic)
            {
            }

            public void onMetadataEnd(final long correlationId, final int topicCount)
            {
            }
        };
        try (ControllerClient client = ControllerClient.connect(
            stranger, endpoints, egress, node.context().secret(), ignore))
        {
            assertThat(client.isClosed()).isFalse();
        }
        assertThat(node.ingressRejectedSessions()).isEqualTo(2);
    }

    @Test
    void clientControlFramesOnIpcStreamTenShouldNeverReachTheArchive() throws Exception
    {
        // 28 bytes of the archive's schema, as a client control frame on the well-known client stream would be.
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[28]);
        frame.putShort(0, (short)20);
        frame.putShort(4, (short)101);
        try (Aeron local = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName()));
            ExclusivePublication ipc10 = local.addExclusivePublication("aeron:ipc", 10);
            ExclusivePublication udp10 = stranger.addExclusivePublication(
                "aeron:udp?endpoint=127.0.0.1:" + (portBase + NodePorts.ARCHIVE_CONTROL_PORT_OFFSET), 10))
        {
            // Nothing of the node subscribes to IPC stream 10, and the archive control port has no stream 10:
            // neither ever connects.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                io.aeron.Publication.NOT_CONNECTED == ipc10.offer(frame) && !udp10.isConnected());
        }
        assertThat(node.archiveContext().controlStreamId()).isEqualTo(StreamIds.ARCHIVE_CONTROL);
        assertThat(node.archiveContext().localControlStreamId()).isEqualTo(StreamIds.ARCHIVE_LOCAL_CONTROL);
        assertThat(StreamIds.isInternal(node.consensusModuleContext().ingressStreamId())).isTrue();
    }

    @Test
    void internalPortsShouldBindToLoopbackOnly() throws Exception
    {
        final InetAddress external = firstNonLoopbackIpv4();
        assumeTrue(null != external, "no non-loopback IPv4 address on this host");

        assertThat(node.archiveContext().controlChannel()).contains("127.0.0.1:");
        for (final int offset : new int[]{ NodePorts.ARCHIVE_CONTROL_PORT_OFFSET,
            NodePorts.INGRESS_PORT_OFFSET, NodePorts.CONSENSUS_PORT_OFFSET })
        {
            // Bound to the wildcard, the port would be taken on every address: on loopback, it is free elsewhere.
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(external, portBase + offset)))
            {
                assertThat(socket.isBound()).isTrue();
            }
        }
    }

    @Test
    void snapshotAfterTheConsensusModuleStoppedShouldFailWithoutTouchingItsUnmappedCounters()
    {
        // The consensus module aborts and closes its Aeron client, unmapping the counters it allocated.
        assertThat(ClusterControl.ToggleState.ABORT.toggle(node.controlToggle())).isTrue();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!node.consensusModuleContext().aeron().isClosed())
        {
            assertThat(System.nanoTime()).as("consensus module stopped").isLessThan(deadlineNs);
            Thread.onSpinWait();
        }

        assertThat(node.takeSnapshot(1_000)).isFalse();
        node.close();
        assertThat(node.takeSnapshot(1_000)).as("after close").isFalse();
    }

    private AeronArchive connectArchive(final Aeron aeron, final CredentialsSupplier credentials)
    {
        final AeronArchive.Context ctx = new AeronArchive.Context()
            .aeron(aeron)
            .ownsAeronClient(false)
            .controlRequestChannel(node.context().archiveControlChannel())
            .controlRequestStreamId(StreamIds.ARCHIVE_CONTROL)
            .controlResponseChannel("aeron:udp?endpoint=127.0.0.1:0")
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5));
        if (null != credentials)
        {
            ctx.credentialsSupplier(credentials);
        }
        return AeronArchive.connect(ctx);
    }

    private static CredentialsSupplier credentials(final byte[] bytes)
    {
        return new CredentialsSupplier()
        {
            public byte[] encodedCredentials()
            {
                return bytes;
            }

            public byte[] onChallenge(final byte[] encodedChallenge)
            {
                return "guess".getBytes(StandardCharsets.US_ASCII);
            }
        };
    }

    private static InetAddress firstNonLoopbackIpv4() throws Exception
    {
        for (final NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces()))
        {
            if (nif.isUp() && !nif.isLoopback())
            {
                for (final InetAddress address : Collections.list(nif.getInetAddresses()))
                {
                    if (address instanceof Inet4Address)
                    {
                        return address;
                    }
                }
            }
        }
        return null;
    }
}
