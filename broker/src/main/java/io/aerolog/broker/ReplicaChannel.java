package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.codecs.replica.LeaderStateDecoder;
import io.aerolog.codecs.replica.LeaderStateEncoder;
import io.aerolog.codecs.replica.MessageHeaderDecoder;
import io.aerolog.codecs.replica.MessageHeaderEncoder;
import io.aerolog.codecs.replica.ReplicaHelloDecoder;
import io.aerolog.codecs.replica.ReplicaHelloEncoder;
import io.aerolog.codecs.replica.ReplicaPositionDecoder;
import io.aerolog.codecs.replica.ReplicaPositionEncoder;
import io.aerolog.node.NodePorts;
import io.aerolog.node.NodeSecret;
import io.aerolog.transport.FrameValidator;
import io.aerolog.transport.StreamIds;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.function.LongConsumer;

/**
 * The broker-to-broker replica channel: one subscription per broker at {@code internal.host:port.base+7} and one
 * publication per peer broker, created when a partition first needs it and closed when none does.
 * <p>
 * <b>Follower side.</b> For each partition it follows, the broker reads the recording position counter of its local
 * copy and sends {@code ReplicaPosition} to the partition's leader when a position changes (coalesced: one message
 * per leader per duty cycle) and every {@link #HEARTBEAT_INTERVAL_MS}. <b>Leader side.</b> Positions reach a
 * {@link PositionListener}; the leader sends {@code LeaderState} to each follower through
 * {@link #leaderState}, flushed once per duty cycle.
 * <p>
 * <b>Authentication.</b> Every publication starts with a {@code ReplicaHello} (again every heartbeat) naming its
 * broker and carrying an HMAC-SHA256 with the node secret over its fields and the publication's Aeron session id.
 * The receiver binds that image to the broker; a message from an image no valid hello bound is dropped and counted,
 * as is anything malformed or fragmented (every message fits one frame).
 * <p>
 * <b>Threads.</b> {@link #follow}, {@link #unfollow} and {@link #brokerEpoch} may be called from any thread (the
 * conductor's): they are queued. Everything else runs on the thread that calls {@link #poll()} and
 * {@link #send(long)} (the produce agent's duty cycle, so that the leader's acks see reports with no hand-off).
 * Allocation-free in steady state.
 */
final class ReplicaChannel implements AutoCloseable
{
    /** How often positions, hellos and leader states are sent when nothing changed. */
    static final long HEARTBEAT_INTERVAL_MS = 100;
    /** Partitions per ReplicaPosition message: one MTU frame. */
    static final int MAX_POSITIONS_PER_MESSAGE = 48;
    /** Partitions per LeaderState message: one MTU frame. */
    static final int MAX_STATES_PER_MESSAGE = 32;

    private static final int FRAGMENT_LIMIT = 16;
    private static final int COMMAND_DRAIN_LIMIT = 16;
    private static final long RETRY_INTERVAL_MS = 100;
    private static final String TERM_LENGTH = "|term-length=256k";

    /**
     * Receives a follower's report on the leader.
     */
    @FunctionalInterface
    interface PositionListener
    {
        /**
         * @param followerId  the follower (its image is bound to it by a hello).
         * @param topicId     of the partition.
         * @param partition   number.
         * @param leaderEpoch the epoch the follower follows.
         * @param position    recorded position of its copy.
         */
        void onReplicaPosition(int followerId, int topicId, int partition, int leaderEpoch, long position);
    }

    /**
     * Receives a leader's state on a follower.
     */
    @FunctionalInterface
    interface LeaderStateListener
    {
        /**
         * @param leaderId       the leader.
         * @param topicId        of the partition.
         * @param partition      number.
         * @param leaderEpoch    the leader's epoch.
         * @param hwPosition     stream position of the high watermark.
         * @param hwOffset       the high watermark offset.
         * @param logStartOffset the first offset retained.
         * @param logStartPosition the first position still in the leader's recording (a segment boundary), or
         *                         {@link LeaderStateDecoder.PartitionsDecoder#logStartPositionNullValue()} from a
         *                         leader that does not say.
         */
        void onLeaderState(
            int leaderId, int topicId, int partition, int leaderEpoch, long hwPosition, long hwOffset,
            long logStartOffset, long logStartPosition);
    }

    private final Aeron aeron;
    private final CountersReader countersReader;
    private final int brokerId;
    private final String host;
    private final int portBase;
    private final ReplicaCounters counters;
    private final ReplicaAuthenticator authenticator;
    private final PositionListener positions;
    private final LeaderStateListener leaderStates;
    private final Subscription subscription;
    private final FrameValidator validator = FrameValidator.replica();
    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(1024);
    private final Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();
    private final ArrayList<Peer> peerList = new ArrayList<>();
    private final Long2ObjectHashMap<Followed> followed = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<Binding> bindings = new Int2ObjectHashMap<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ReplicaHelloDecoder helloDecoder = new ReplicaHelloDecoder();
    private final ReplicaHelloEncoder helloEncoder = new ReplicaHelloEncoder();
    private final ReplicaPositionDecoder positionDecoder = new ReplicaPositionDecoder();
    private final ReplicaPositionEncoder positionEncoder = new ReplicaPositionEncoder();
    private final LeaderStateDecoder stateDecoder = new LeaderStateDecoder();
    private final LeaderStateEncoder stateEncoder = new LeaderStateEncoder();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final byte[] signature = new byte[ReplicaAuthenticator.LENGTH];
    private long brokerEpoch;
    private long nowMs;

    /**
     * Subscribes at {@code host:portBase+7}.
     *
     * @param aeron        client of the broker.
     * @param brokerId     this broker.
     * @param host         this broker's internal host (where peers reach it).
     * @param portBase     this broker's port base.
     * @param secret       the node secret, the same on every node.
     * @param counters     of the channel.
     * @param positions    receives followers' reports (this broker as leader).
     * @param leaderStates receives leaders' states (this broker as follower).
     */
    ReplicaChannel(
        final Aeron aeron,
        final int brokerId,
        final String host,
        final int portBase,
        final NodeSecret secret,
        final ReplicaCounters counters,
        final PositionListener positions,
        final LeaderStateListener leaderStates)
    {
        this.aeron = aeron;
        this.countersReader = aeron.countersReader();
        this.brokerId = brokerId;
        this.host = host;
        this.portBase = portBase;
        this.counters = counters;
        this.authenticator = new ReplicaAuthenticator(secret);
        this.positions = positions;
        this.leaderStates = leaderStates;
        StreamIds.requireInternal("replica channel", StreamIds.REPLICA_CHANNEL);
        this.subscription = aeron.addSubscription(channel(host, portBase), StreamIds.REPLICA_CHANNEL, null,
            this::onImageUnavailable);
    }

    /**
     * The channel a broker's replica subscription listens on.
     *
     * @param host     the broker's internal host.
     * @param portBase the broker's port base.
     * @return the UDP channel.
     */
    static String channel(final String host, final int portBase)
    {
        return "aeron:udp?endpoint=" + NodePorts.endpoint(host, portBase, NodePorts.REPLICA_PORT_OFFSET);
    }

    /**
     * Start reporting a partition's local copy to its leader. Any thread (queued).
     *
     * @param topicId                   of the partition.
     * @param partition                 number.
     * @param leaderBrokerId            the leader.
     * @param leaderHost                its internal host.
     * @param leaderPortBase            its port base.
     * @param leaderEpoch               the epoch followed; reports carry it.
     * @param recordingPositionCounterId the Aeron {@code RecordingPos} counter of the local copy.
     */
    void follow(
        final int topicId,
        final int partition,
        final int leaderBrokerId,
        final String leaderHost,
        final int leaderPortBase,
        final int leaderEpoch,
        final int recordingPositionCounterId)
    {
        follow(topicId, partition, leaderBrokerId, leaderHost, leaderPortBase, leaderEpoch, recordingPositionCounterId,
            (position) -> {});
    }

    /**
     * Start reporting a partition's local copy to its leader, and hear where the leader's log starts. Any thread
     * (queued).
     *
     * @param topicId                   of the partition.
     * @param partition                 number.
     * @param leaderBrokerId            the leader.
     * @param leaderHost                its internal host.
     * @param leaderPortBase            its port base.
     * @param leaderEpoch               the epoch followed; reports carry it.
     * @param recordingPositionCounterId the Aeron {@code RecordingPos} counter of the local copy.
     * @param leaderStartPositions      told, on the channel thread, each first position the leader's recording
     *                                  holds as its states say it (for the copy's retention).
     */
    void follow(
        final int topicId,
        final int partition,
        final int leaderBrokerId,
        final String leaderHost,
        final int leaderPortBase,
        final int leaderEpoch,
        final int recordingPositionCounterId,
        final LongConsumer leaderStartPositions)
    {
        enqueue(() -> onFollow(topicId, partition, leaderBrokerId, leaderHost, leaderPortBase, leaderEpoch,
            recordingPositionCounterId, leaderStartPositions));
    }

    /**
     * Stop reporting a partition. Any thread (queued).
     *
     * @param topicId   of the partition.
     * @param partition number.
     */
    void unfollow(final int topicId, final int partition)
    {
        enqueue(() -> onUnfollow(topicId, partition));
    }

    /**
     * The epoch of this broker's registration with the controller, sent in hellos and reports. Any thread (queued).
     *
     * @param brokerEpoch the current registration's epoch.
     */
    void brokerEpoch(final long brokerEpoch)
    {
        enqueue(() ->
        {
            this.brokerEpoch = brokerEpoch;
            for (int i = 0, size = peerList.size(); i < size; i++)
            {
                peerList.get(i).helloLength = 0; // signed again with the new epoch
            }
        });
    }

    /**
     * A partition this broker leads needs a publication to a follower (for its LeaderState). Channel thread only.
     *
     * @param peerId the follower.
     */
    void retainPeer(final int peerId)
    {
        peer(peerId).refs++;
    }

    /**
     * A partition this broker leads no longer needs its follower's publication. Channel thread only.
     *
     * @param peerId the follower.
     */
    void releasePeer(final int peerId)
    {
        final Peer peer = peers.get(peerId);
        if (null != peer && peer.refs > 0)
        {
            peer.refs--;
        }
    }

    /**
     * Queues a partition's state for a follower, sent with the next {@link #send(long)}. Channel thread only.
     *
     * @param followerId     the follower.
     * @param topicId        of the partition.
     * @param partition      number.
     * @param leaderEpoch    this broker's epoch as leader.
     * @param hwPosition     stream position of the high watermark.
     * @param hwOffset       high watermark offset.
     * @param logStartOffset first offset retained.
     * @param logStartPosition first position still in this broker's recording of the partition.
     * @return false when the follower cannot be reached yet (no publication: its hello has not arrived).
     */
    boolean leaderState(
        final int followerId,
        final int topicId,
        final int partition,
        final int leaderEpoch,
        final long hwPosition,
        final long hwOffset,
        final long logStartOffset,
        final long logStartPosition)
    {
        final Peer peer = peers.get(followerId);
        if (null == peer || null == peer.publication)
        {
            return false;
        }
        peer.states.put(topicId, partition, leaderEpoch, hwPosition, hwOffset, logStartOffset, logStartPosition);
        return true;
    }

    /**
     * @param peerId a broker.
     * @return true when an image on this broker's subscription is bound to it by a valid hello. Channel thread.
     */
    boolean isBound(final int peerId)
    {
        for (final Binding binding : bindings.values())
        {
            if (binding.brokerId == peerId)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs queued commands, moves publications along, and reads what peers sent. Channel thread.
     *
     * @return work done.
     */
    int poll()
    {
        int work = commands.drain(Runnable::run, COMMAND_DRAIN_LIMIT);
        work += subscription.poll(this::onFragment, FRAGMENT_LIMIT);
        return work;
    }

    /**
     * Sends hellos, changed positions and queued leader states; everything again every heartbeat. Channel thread.
     *
     * @param nowMs the time now.
     * @return work done.
     */
    int send(final long nowMs)
    {
        this.nowMs = nowMs;
        int work = 0;
        final ArrayList<Peer> peerList = this.peerList;
        for (int i = 0, size = peerList.size(); i < size; i++)
        {
            final Peer peer = peerList.get(i);
            work += managePublication(peer);
            final ExclusivePublication publication = peer.publication;
            if (null == publication)
            {
                peer.states.clear();
                continue;
            }
            if (!publication.isConnected())
            {
                peer.wasConnected = false;
                peer.states.clear(); // a leader state is current only when it goes: the next one replaces it
                continue;
            }
            final boolean heartbeat = nowMs >= peer.nextHeartbeatMs;
            if (!peer.wasConnected || heartbeat)
            {
                peer.helloDue = true;
                peer.wasConnected = true;
            }
            if (peer.helloDue)
            {
                if (0 == peer.helloLength)
                {
                    encodeHello(peer);
                }
                if (!offered(peer, publication.offer(peer.hello, 0, peer.helloLength)))
                {
                    continue;
                }
                peer.helloDue = false;
                work++;
            }
            work += sendPositions(peer, heartbeat);
            work += sendStates(peer);
            if (heartbeat)
            {
                peer.nextHeartbeatMs = nowMs + HEARTBEAT_INTERVAL_MS;
            }
        }
        return work;
    }

    @Override
    public void close()
    {
        for (final Peer peer : peerList)
        {
            CloseHelper.quietClose(peer.publication);
            if (Aeron.NULL_VALUE != peer.registrationId)
            {
                aeron.asyncRemovePublication(peer.registrationId);
            }
        }
        CloseHelper.quietClose(subscription);
    }

    private void onFollow(
        final int topicId,
        final int partition,
        final int leaderBrokerId,
        final String leaderHost,
        final int leaderPortBase,
        final int leaderEpoch,
        final int counterId,
        final LongConsumer leaderStartPositions)
    {
        onUnfollow(topicId, partition);
        final Peer peer = peer(leaderBrokerId);
        if (!leaderHost.equals(peer.host) || leaderPortBase != peer.portBase)
        {
            peer.address(leaderHost, leaderPortBase);
        }
        final Followed f = new Followed(topicId, partition, leaderEpoch, counterId, peer, leaderStartPositions);
        followed.put(PartitionLog.key(topicId, partition), f);
        peer.followed.add(f);
        peer.refs++;
        peer.positionsDirty = true;
    }

    private void onUnfollow(final int topicId, final int partition)
    {
        final Followed f = followed.remove(PartitionLog.key(topicId, partition));
        if (null != f)
        {
            f.peer.followed.remove(f);
            f.peer.refs--;
        }
    }

    private Peer peer(final int peerId)
    {
        Peer peer = peers.get(peerId);
        if (null == peer)
        {
            peer = new Peer(peerId);
            peers.put(peerId, peer);
            peerList.add(peer);
        }
        return peer;
    }

    private void onImageUnavailable(final Image image)
    {
        final int sessionId = image.sessionId();
        enqueue(() -> bindings.remove(sessionId));
    }

    private void enqueue(final Runnable command)
    {
        while (!commands.offer(command))
        {
            Thread.onSpinWait(); // control path only: the channel drains every duty cycle
        }
    }

    // Creates a needed publication without blocking (async add, picked up on later cycles), closes an unneeded one.
    private int managePublication(final Peer peer)
    {
        if (peer.refs <= 0)
        {
            if (null != peer.publication)
            {
                closePublication(peer);
                return 1;
            }
            if (Aeron.NULL_VALUE != peer.registrationId)
            {
                aeron.asyncRemovePublication(peer.registrationId);
                peer.registrationId = Aeron.NULL_VALUE;
            }
            return 0;
        }
        if (null != peer.publication || null == peer.host)
        {
            return 0;
        }
        if (Aeron.NULL_VALUE == peer.registrationId)
        {
            if (nowMs < peer.retryAtMs)
            {
                return 0;
            }
            peer.registrationId = aeron.asyncAddExclusivePublication(peer.channel, StreamIds.REPLICA_CHANNEL);
            return 1;
        }
        try
        {
            final ExclusivePublication publication = aeron.getExclusivePublication(peer.registrationId);
            if (null != publication)
            {
                peer.registrationId = Aeron.NULL_VALUE;
                peer.publication = publication;
                peer.helloLength = 0;
                peer.wasConnected = false;
                return 1;
            }
        }
        catch (final AeronException ex)
        {
            counters.sendFailures.increment();
            peer.registrationId = Aeron.NULL_VALUE;
            peer.retryAtMs = nowMs + RETRY_INTERVAL_MS;
        }
        return 0;
    }

    private void closePublication(final Peer peer)
    {
        CloseHelper.quietClose(peer.publication);
        peer.publication = null;
        peer.helloLength = 0;
        peer.wasConnected = false;
        peer.states.clear();
    }

    private boolean offered(final Peer peer, final long result)
    {
        if (result > 0)
        {
            return true;
        }
        counters.sendFailures.increment();
        if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
        {
            closePublication(peer); // a new one is added on a later cycle
        }
        // NOT_CONNECTED, BACK_PRESSURED, ADMIN_ACTION: kept and sent again on a later cycle.
        return false;
    }

    private void encodeHello(final Peer peer)
    {
        helloEncoder.wrapAndApplyHeader(peer.hello, 0, headerEncoder)
            .brokerId(brokerId)
            .brokerEpoch(brokerEpoch)
            .publicationSessionId(peer.publication.sessionId())
            .portBase(portBase)
            .host(host);
        final int signedLength = helloEncoder.limit();
        authenticator.sign(peer.hello, 0, signedLength, signature);
        helloEncoder.putAuthenticator(signature, 0, signature.length);
        peer.helloLength = MessageHeaderEncoder.ENCODED_LENGTH + helloEncoder.encodedLength();
    }

    private int sendPositions(final Peer peer, final boolean heartbeat)
    {
        final ArrayList<Followed> list = peer.followed;
        final int size = list.size();
        if (0 == size)
        {
            return 0;
        }
        boolean changed = peer.positionsDirty;
        for (int i = 0; i < size; i++)
        {
            final Followed f = list.get(i);
            f.current = CountersReader.RECORD_ALLOCATED == countersReader.getCounterState(f.counterId) ?
                countersReader.getCounterValue(f.counterId) : -1;
            changed |= f.current >= 0 && f.current != f.lastSent;
        }
        if (!changed && !heartbeat)
        {
            return 0;
        }
        for (int start = 0; start < size; start += MAX_POSITIONS_PER_MESSAGE)
        {
            final int end = Math.min(size, start + MAX_POSITIONS_PER_MESSAGE);
            int count = 0;
            for (int i = start; i < end; i++)
            {
                count += list.get(i).current >= 0 ? 1 : 0;
            }
            if (0 == count)
            {
                continue;
            }
            final ReplicaPositionEncoder.PartitionsEncoder entries = positionEncoder
                .wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .brokerId(brokerId)
                .brokerEpoch(brokerEpoch)
                .partitionsCount(count);
            for (int i = start; i < end; i++)
            {
                final Followed f = list.get(i);
                if (f.current >= 0)
                {
                    entries.next().topicId(f.topicId).partition(f.partition).leaderEpoch(f.leaderEpoch)
                        .recordedPosition(f.current);
                }
            }
            final long result = peer.publication.offer(
                sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + positionEncoder.encodedLength());
            if (!offered(peer, result))
            {
                peer.positionsDirty = true;
                return 0;
            }
            for (int i = start; i < end; i++)
            {
                final Followed f = list.get(i);
                if (f.current >= 0)
                {
                    f.lastSent = f.current;
                }
            }
        }
        peer.positionsDirty = false;
        return 1;
    }

    private int sendStates(final Peer peer)
    {
        final int total = peer.states.size();
        if (0 == total)
        {
            return 0;
        }
        for (int start = 0; start < total; start += MAX_STATES_PER_MESSAGE)
        {
            final int end = Math.min(total, start + MAX_STATES_PER_MESSAGE);
            final LeaderStateEncoder.PartitionsEncoder entries = stateEncoder
                .wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .brokerId(brokerId)
                .partitionsCount(end - start);
            for (int i = start; i < end; i++)
            {
                peer.states.encode(i, entries.next());
            }
            final long result = peer.publication.offer(
                sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + stateEncoder.encodedLength());
            if (!offered(peer, result))
            {
                return 0; // kept (back-pressure) for the next cycle; the leader queues newer values over them
            }
        }
        peer.states.clear();
        return 1;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (FrameDescriptor.UNFRAGMENTED != (header.flags() & FrameDescriptor.UNFRAGMENTED) ||
            null != validator.check(buffer, offset, length))
        {
            counters.rejectedFrames.increment();
            return;
        }
        headerDecoder.wrap(buffer, offset);
        switch (headerDecoder.templateId())
        {
            case ReplicaHelloDecoder.TEMPLATE_ID:
                onHello(buffer, offset, header.sessionId());
                break;
            case ReplicaPositionDecoder.TEMPLATE_ID:
                onPosition(buffer, offset, header.sessionId());
                break;
            case LeaderStateDecoder.TEMPLATE_ID:
                onLeaderState(buffer, offset, header.sessionId());
                break;
            default:
                counters.rejectedFrames.increment();
                break;
        }
    }

    private void onHello(final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        final ReplicaHelloDecoder hello = helloDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int peerId = hello.brokerId();
        final long peerEpoch = hello.brokerEpoch();
        final int peerPortBase = hello.portBase();
        final int hostOffset = hello.limit() + ReplicaHelloDecoder.hostHeaderLength();
        final int hostLength = hello.hostLength();
        hello.skipHost();
        final int signedLength = hello.limit() - offset;
        final int authenticatorLength = hello.authenticatorLength();
        final int authenticatorOffset = hello.limit() + ReplicaHelloDecoder.authenticatorHeaderLength();
        if (hello.publicationSessionId() != imageSessionId || peerId == brokerId)
        {
            counters.unauthenticated.increment();
            return;
        }
        final Binding bound = bindings.get(imageSessionId);
        if (null != bound && bound.brokerId == peerId && bound.brokerEpoch == peerEpoch &&
            bound.sameAuthenticator(buffer, authenticatorOffset, authenticatorLength))
        {
            return; // the heartbeat's hello, unchanged: no need to check it again
        }
        if (!authenticator.verify(buffer, offset, signedLength, buffer, authenticatorOffset, authenticatorLength))
        {
            counters.unauthenticated.increment();
            return;
        }
        final Binding binding = null != bound ? bound : new Binding();
        binding.brokerId = peerId;
        binding.brokerEpoch = peerEpoch;
        buffer.getBytes(authenticatorOffset, binding.authenticator);
        bindings.put(imageSessionId, binding);
        final Peer peer = peer(peerId);
        if (!peer.hasAddress(buffer, hostOffset, hostLength, peerPortBase))
        {
            peer.address(buffer.getStringWithoutLengthUtf8(hostOffset, hostLength), peerPortBase);
        }
    }

    private void onPosition(final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        final ReplicaPositionDecoder report = positionDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final Binding binding = bindings.get(imageSessionId);
        final int followerId = report.brokerId();
        if (null == binding || binding.brokerId != followerId || binding.brokerEpoch != report.brokerEpoch())
        {
            counters.unauthenticated.increment();
            return;
        }
        for (final ReplicaPositionDecoder.PartitionsDecoder entry : report.partitions())
        {
            positions.onReplicaPosition(
                followerId, entry.topicId(), entry.partition(), entry.leaderEpoch(), entry.recordedPosition());
        }
    }

    private void onLeaderState(final DirectBuffer buffer, final int offset, final int imageSessionId)
    {
        final LeaderStateDecoder state = stateDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final Binding binding = bindings.get(imageSessionId);
        final int leaderId = state.brokerId();
        if (null == binding || binding.brokerId != leaderId)
        {
            counters.unauthenticated.increment();
            return;
        }
        for (final LeaderStateDecoder.PartitionsDecoder entry : state.partitions())
        {
            final Followed f = followed.get(PartitionLog.key(entry.topicId(), entry.partition()));
            if (null != f && f.peer.brokerId == leaderId && f.leaderEpoch == entry.leaderEpoch())
            {
                final long logStartPosition = entry.logStartPosition();
                if (LeaderStateDecoder.PartitionsDecoder.logStartPositionNullValue() != logStartPosition)
                {
                    f.leaderStartPositions.accept(logStartPosition);
                }
                leaderStates.onLeaderState(leaderId, entry.topicId(), entry.partition(), entry.leaderEpoch(),
                    entry.hwPosition(), entry.hwOffset(), entry.logStartOffset(), entry.logStartPosition());
            }
        }
    }

    /** One partition this broker follows. */
    private static final class Followed
    {
        final int topicId;
        final int partition;
        final int leaderEpoch;
        final int counterId;
        final Peer peer;
        final LongConsumer leaderStartPositions;
        long current = -1;
        long lastSent = -1;

        Followed(
            final int topicId,
            final int partition,
            final int leaderEpoch,
            final int counterId,
            final Peer peer,
            final LongConsumer leaderStartPositions)
        {
            this.topicId = topicId;
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
            this.counterId = counterId;
            this.peer = peer;
            this.leaderStartPositions = leaderStartPositions;
        }
    }

    /** An image bound to a broker by its hello. */
    private static final class Binding
    {
        int brokerId;
        long brokerEpoch;
        final byte[] authenticator = new byte[ReplicaAuthenticator.LENGTH];

        boolean sameAuthenticator(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length != authenticator.length)
            {
                return false;
            }
            for (int i = 0; i < length; i++)
            {
                if (buffer.getByte(offset + i) != authenticator[i])
                {
                    return false;
                }
            }
            return true;
        }
    }

    /** Another broker: its address, the publication to it, and what is to be sent there. */
    private static final class Peer
    {
        final int brokerId;
        String host;
        int portBase;
        String channel;
        int refs;
        long registrationId = Aeron.NULL_VALUE;
        long retryAtMs;
        ExclusivePublication publication;
        boolean wasConnected;
        boolean helloDue;
        boolean positionsDirty;
        long nextHeartbeatMs;
        final UnsafeBuffer hello = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
        int helloLength;
        final ArrayList<Followed> followed = new ArrayList<>();
        final LeaderStateQueue states = new LeaderStateQueue();

        Peer(final int brokerId)
        {
            this.brokerId = brokerId;
        }

        void address(final String host, final int portBase)
        {
            this.host = host;
            this.portBase = portBase;
            this.channel = channel(host, portBase) + TERM_LENGTH;
            if (null != publication)
            {
                CloseHelper.quietClose(publication); // it went elsewhere: a new one is added on the next cycle
                publication = null;
                helloLength = 0;
                wasConnected = false;
            }
        }

        boolean hasAddress(final DirectBuffer buffer, final int hostOffset, final int hostLength, final int portBase)
        {
            if (null == host || this.portBase != portBase || host.length() != hostLength)
            {
                return false;
            }
            for (int i = 0; i < hostLength; i++)
            {
                if (buffer.getByte(hostOffset + i) != host.charAt(i))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
