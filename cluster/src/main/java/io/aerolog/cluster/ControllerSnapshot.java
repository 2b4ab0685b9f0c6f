package io.aerolog.cluster;

import io.aerolog.codecs.cluster.ControllerSnapshotEndDecoder;
import io.aerolog.codecs.cluster.ControllerSnapshotEndEncoder;
import io.aerolog.codecs.cluster.ControllerSnapshotHeaderDecoder;
import io.aerolog.codecs.cluster.ControllerSnapshotHeaderEncoder;
import io.aerolog.codecs.cluster.GroupStateChunkDecoder;
import io.aerolog.codecs.cluster.GroupStateChunkEncoder;
import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.cluster.TopicEventDecoder;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.cluster.AclEventDecoder;
import io.aerolog.codecs.cluster.BrokerEventDecoder;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.cluster.registry.BrokerEventCodec;
import io.aerolog.cluster.registry.BrokerRegistry;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.cluster.replication.PartitionChangeCodec;
import io.aerolog.cluster.replication.PartitionReplicas;
import io.aerolog.codecs.cluster.PartitionChangeEventDecoder;
import io.aerolog.codecs.cluster.LeaderEpochEventDecoder;
import io.aerolog.codecs.cluster.LeaderEpochEventEncoder;
import io.aerolog.codecs.cluster.SecurityEventType;
import io.aerolog.codecs.cluster.UserEventDecoder;
import io.aerolog.cluster.security.AclBinding;
import io.aerolog.cluster.security.AclStore;
import io.aerolog.cluster.security.SecurityEventCodec;
import io.aerolog.cluster.security.UserCredential;
import io.aerolog.cluster.security.UserStore;
import io.aeron.logbuffer.FragmentHandler;
import io.aerolog.cluster.group.BufferSnapshotSink;
import io.aerolog.cluster.group.BufferSnapshotSource;
import io.aerolog.cluster.group.GroupCoordinator;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayList;
import java.util.TreeMap;

/**
 * Snapshot format of the {@link ControllerState} and the consumer groups: a {@code ControllerSnapshotHeader} (with the
 * length of the group state), one {@code TopicEvent(SNAPSHOT)} per topic in topic id order, the group state
 * ({@link GroupCoordinator#snapshot}) cut into {@code GroupStateChunk}s of at most {@link #GROUP_CHUNK_LENGTH}
 * bytes, one {@code UserEvent(SNAPSHOT)} per user and one {@code AclEvent(SNAPSHOT)} per ACL (version 4), one
 * {@code BrokerEvent(SNAPSHOT)} per registered broker with its deadline (version 4, header fields {@code brokerCount}
 * and {@code lastBrokerEpoch}: a header block without them loads with no brokers), one
 * {@code PartitionChangeEvent} per partition in (topic id, partition) order (version 4, header field
 * {@code partitionCount}: a header block without it loads every partition with one replica, broker 0), each followed
 * by one {@code LeaderEpochEvent} per entry of its leader-epoch history, oldest first (header field
 * {@code leaderEpochCount}: a header block without it loads no histories), then a {@code ControllerSnapshotEnd}.
 * <p>
 * Kept free of publications so it can be tested without a cluster: {@link Writer} hands each message to a
 * {@link Sink}, {@link Loader} is a {@link FragmentHandler} for whole (reassembled) messages.
 */
public final class ControllerSnapshot
{
    /**
     * Largest piece of group state in one snapshot message.
     */
    public static final int GROUP_CHUNK_LENGTH = 64 * 1024;

    // The header block of a version 3 writer, which ends with the group state length; later fields are optional.
    private static final int MIN_HEADER_BLOCK_LENGTH = ControllerSnapshotHeaderDecoder.userCountEncodingOffset();

    private ControllerSnapshot()
    {
    }

    /**
     * Receives each encoded snapshot message in turn; must not return until the message is stored.
     */
    @FunctionalInterface
    public interface Sink
    {
        /**
         * Store one message.
         *
         * @param buffer holding the message.
         * @param offset at which the message starts.
         * @param length of the message.
         */
        void onMessage(DirectBuffer buffer, int offset, int length);
    }

    /**
     * Encodes a {@link ControllerState} as snapshot messages. <b>Not thread-safe.</b>
     */
    public static final class Writer
    {
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final ControllerSnapshotHeaderEncoder snapshotHeaderEncoder = new ControllerSnapshotHeaderEncoder();
        private final ControllerSnapshotEndEncoder snapshotEndEncoder = new ControllerSnapshotEndEncoder();
        private final GroupStateChunkEncoder groupStateChunkEncoder = new GroupStateChunkEncoder();
        private final LeaderEpochEventEncoder epochEncoder = new LeaderEpochEventEncoder();
        private final SecurityEventCodec securityCodec = new SecurityEventCodec();
        private final BrokerEventCodec brokerCodec = new BrokerEventCodec();
        private final PartitionChangeCodec partitionCodec = new PartitionChangeCodec();
        private final TopicEventCodec topicEventCodec;

        /**
         * Construct a writer sharing the given codec.
         *
         * @param topicEventCodec to encode topics with.
         */
        public Writer(final TopicEventCodec topicEventCodec)
        {
            this.topicEventCodec = topicEventCodec;
        }

        /**
         * Write the whole state, with no consumer groups, to the sink.
         *
         * @param state to write.
         * @param sink  to receive each message.
         */
        public void write(final ControllerState state, final Sink sink)
        {
            write(state, null, sink);
        }

        /**
         * Write the whole state to the sink.
         *
         * @param state  to write.
         * @param groups to write, or null for none.
         * @param sink   to receive each message.
         */
        public void write(final ControllerState state, final GroupCoordinator groups, final Sink sink)
        {
            write(state, groups, null, null, sink);
        }

        /**
         * Write the whole state to the sink.
         *
         * @param state  to write.
         * @param groups to write, or null for none.
         * @param users  to write, or null for none.
         * @param acls   to write, or null for none.
         * @param sink   to receive each message.
         */
        public void write(
            final ControllerState state,
            final GroupCoordinator groups,
            final UserStore users,
            final AclStore acls,
            final Sink sink)
        {
            write(state, groups, users, acls, null, sink);
        }

        /**
         * Write the whole state to the sink.
         *
         * @param state   to write.
         * @param groups  to write, or null for none.
         * @param users   to write, or null for none.
         * @param acls    to write, or null for none.
         * @param brokers to write, or null for none.
         * @param sink    to receive each message.
         */
        public void write(
            final ControllerState state,
            final GroupCoordinator groups,
            final UserStore users,
            final AclStore acls,
            final BrokerRegistry brokers,
            final Sink sink)
        {
            write(state, groups, users, acls, brokers, null, sink);
        }

        /**
         * Write the whole state to the sink.
         *
         * @param state    to write.
         * @param groups   to write, or null for none.
         * @param users    to write, or null for none.
         * @param acls     to write, or null for none.
         * @param brokers  to write, or null for none.
         * @param replicas the partitions' replication state, or null for none.
         * @param sink     to receive each message.
         */
        public void write(
            final ControllerState state,
            final GroupCoordinator groups,
            final UserStore users,
            final AclStore acls,
            final BrokerRegistry brokers,
            final PartitionReplicas replicas,
            final Sink sink)
        {
            final BufferSnapshotSink groupState = new BufferSnapshotSink();
            if (null != groups)
            {
                groups.snapshot(groupState);
            }

            snapshotHeaderEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .nextTopicId(state.nextTopicId())
                .nextStreamId(state.nextStreamId())
                .nextProducerId(state.nextProducerId())
                .topicCount(state.topicCount())
                .groupStateLength(groupState.length())
                .userCount(null == users ? 0 : users.size())
                .aclCount(null == acls ? 0 : acls.size())
                .brokerCount(null == brokers ? 0 : brokers.size())
                .lastBrokerEpoch(null == brokers ? 0 : brokers.lastBrokerEpoch())
                .partitionCount(null == replicas ? 0 : replicas.partitionCount())
                .leaderEpochCount(null == replicas ? 0 : replicas.epochCount());
            sink.onMessage(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + snapshotHeaderEncoder.encodedLength());

            state.forEachTopic((topic) ->
            {
                final int length = topicEventCodec.encode(
                    buffer, 0, TopicEventCodec.NULL_CORRELATION_ID, TopicEventType.SNAPSHOT, topic);
                sink.onMessage(buffer, 0, length);
            });

            for (int offset = 0; offset < groupState.length(); offset += GROUP_CHUNK_LENGTH)
            {
                final int chunkLength = Math.min(GROUP_CHUNK_LENGTH, groupState.length() - offset);
                groupStateChunkEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .putChunk(groupState.buffer(), offset, chunkLength);
                sink.onMessage(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + groupStateChunkEncoder.encodedLength());
            }

            if (null != users)
            {
                for (final UserCredential user : users.all())
                {
                    sink.onMessage(buffer, 0, securityCodec.encodeUser(buffer, 0, -1, SecurityEventType.SNAPSHOT, user));
                }
            }
            if (null != acls)
            {
                for (final AclBinding acl : acls.all())
                {
                    sink.onMessage(buffer, 0, securityCodec.encodeAcl(buffer, 0, -1, SecurityEventType.SNAPSHOT, acl));
                }
            }

            if (null != brokers)
            {
                for (int i = 0; i < brokers.size(); i++)
                {
                    sink.onMessage(buffer, 0, brokerCodec.encode(
                        buffer, 0, -1, BrokerEventType.SNAPSHOT, brokers.brokerAt(i), true));
                }
            }

            if (null != replicas)
            {
                final PartitionReplicas.EpochListener epochSink =
                    (topicId, partition, epoch, startPosition, startOffset, recordingId) ->
                    {
                        epochEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                            .correlationId(PartitionChangeCodec.NULL_CORRELATION_ID)
                            .topicId(topicId)
                            .partition(partition)
                            .epoch(epoch)
                            .startPosition(startPosition)
                            .startOffset(startOffset)
                            .leaderRecordingId(recordingId);
                        sink.onMessage(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + epochEncoder.encodedLength());
                    };
                replicas.forEach((topicId, partition, minInsyncReplicas, partitionState) ->
                {
                    sink.onMessage(buffer, 0, partitionCodec.encode(buffer, 0, PartitionChangeCodec.NULL_CORRELATION_ID,
                        topicId, partition, minInsyncReplicas, partitionState));
                    replicas.forEachEpoch(topicId, partition, epochSink);
                });
            }

            snapshotEndEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).topicCount(state.topicCount());
            sink.onMessage(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + snapshotEndEncoder.encodedLength());
        }
    }

    /**
     * Decodes snapshot messages, which must be whole: wrap in an {@link io.aeron.ImageFragmentAssembler} when
     * polling an image. Errors throw {@link IllegalStateException}. <b>Not thread-safe.</b>
     */
    public static final class Loader implements FragmentHandler
    {
        private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        private final ControllerSnapshotHeaderDecoder snapshotHeaderDecoder = new ControllerSnapshotHeaderDecoder();
        private final ControllerSnapshotEndDecoder snapshotEndDecoder = new ControllerSnapshotEndDecoder();
        private final GroupStateChunkDecoder groupStateChunkDecoder = new GroupStateChunkDecoder();
        private final TopicEventCodec topicEventCodec;
        private final SecurityEventCodec securityCodec = new SecurityEventCodec();
        private final ArrayList<TopicMetadata> topics = new ArrayList<>();
        private final ArrayList<UserCredential> users = new ArrayList<>();
        private final ArrayList<AclBinding> acls = new ArrayList<>();
        private final BrokerEventCodec brokerCodec = new BrokerEventCodec();
        private final ArrayList<RegisteredBroker> brokers = new ArrayList<>();
        private final PartitionChangeCodec partitionCodec = new PartitionChangeCodec();
        private final ArrayList<PartitionReplicas.PartitionRecord> partitions = new ArrayList<>();
        private final LeaderEpochEventDecoder epochDecoder = new LeaderEpochEventDecoder();
        private final ArrayList<PartitionReplicas.EpochRecord> epochs = new ArrayList<>();
        private int expectedEpochCount;
        private int expectedPartitionCount;
        private int expectedBrokerCount;
        private long lastBrokerEpoch;
        private int expectedUserCount;
        private int expectedAclCount;
        private final ExpandableArrayBuffer groupState = new ExpandableArrayBuffer(1024);
        private long expectedGroupStateLength;
        private int groupStateLength;
        private boolean hasHeader;
        private boolean isComplete;
        private int nextTopicId;
        private int nextStreamId;
        private long nextProducerId;
        private int expectedTopicCount;

        /**
         * Construct a loader sharing the given codec.
         *
         * @param topicEventCodec to decode topics with.
         */
        public Loader(final TopicEventCodec topicEventCodec)
        {
            this.topicEventCodec = topicEventCodec;
        }

        /**
         * {@inheritDoc}
         */
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (isComplete)
            {
                throw new IllegalStateException("message after snapshot end");
            }

            TopicEventCodec.checkWithin((long)offset + MessageHeaderDecoder.ENCODED_LENGTH, offset + length);
            headerDecoder.wrap(buffer, offset);
            if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId())
            {
                throw new IllegalStateException("unexpected snapshot message: " +
                    TopicEventCodec.describe(headerDecoder));
            }

            final int bodyEnd = offset + MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength();
            switch (headerDecoder.templateId())
            {
                case ControllerSnapshotHeaderDecoder.TEMPLATE_ID:
                    if (hasHeader || headerDecoder.blockLength() < MIN_HEADER_BLOCK_LENGTH)
                    {
                        throw new IllegalStateException("unexpected snapshot header");
                    }
                    TopicEventCodec.checkWithin(bodyEnd, offset + length);
                    snapshotHeaderDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                    nextTopicId = snapshotHeaderDecoder.nextTopicId();
                    nextStreamId = snapshotHeaderDecoder.nextStreamId();
                    nextProducerId = snapshotHeaderDecoder.nextProducerId();
                    expectedTopicCount = snapshotHeaderDecoder.topicCount();
                    expectedGroupStateLength = snapshotHeaderDecoder.groupStateLength();
                    // Fields a header's block does not reach are absent (an older writer): none of those records.
                    // The decoder reads by version, not block length, so the block is checked here.
                    final int blockLength = headerDecoder.blockLength();
                    expectedUserCount = blockLength >= ControllerSnapshotHeaderDecoder.aclCountEncodingOffset() + 4 ?
                        Math.max(0, snapshotHeaderDecoder.userCount()) : 0;
                    expectedAclCount = blockLength >= ControllerSnapshotHeaderDecoder.aclCountEncodingOffset() + 4 ?
                        Math.max(0, snapshotHeaderDecoder.aclCount()) : 0;
                    final boolean hasBrokers =
                        blockLength >= ControllerSnapshotHeaderDecoder.lastBrokerEpochEncodingOffset() + 8;
                    expectedBrokerCount = hasBrokers ? Math.max(0, snapshotHeaderDecoder.brokerCount()) : 0;
                    lastBrokerEpoch = hasBrokers ? Math.max(0, snapshotHeaderDecoder.lastBrokerEpoch()) : 0;
                    final boolean hasPartitions =
                        blockLength >= ControllerSnapshotHeaderDecoder.partitionCountEncodingOffset() + 4;
                    expectedPartitionCount = hasPartitions ? Math.max(0, snapshotHeaderDecoder.partitionCount()) : 0;
                    final boolean hasEpochs =
                        blockLength >= ControllerSnapshotHeaderDecoder.leaderEpochCountEncodingOffset() + 4;
                    expectedEpochCount = hasEpochs ? Math.max(0, snapshotHeaderDecoder.leaderEpochCount()) : 0;
                    if (expectedGroupStateLength < 0 || expectedGroupStateLength > Integer.MAX_VALUE - 8)
                    {
                        throw new IllegalStateException("invalid group state length: " + expectedGroupStateLength);
                    }
                    hasHeader = true;
                    break;

                case TopicEventDecoder.TEMPLATE_ID:
                    checkHeader();
                    topics.add(topicEventCodec.decode(buffer, offset, length, headerDecoder));
                    break;

                case GroupStateChunkDecoder.TEMPLATE_ID:
                {
                    checkHeader();
                    TopicEventCodec.checkWithin(bodyEnd + 4L, offset + length);
                    groupStateChunkDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                    final int chunkLength = groupStateChunkDecoder.chunkLength();
                    TopicEventCodec.checkWithin((long)bodyEnd + 4 + chunkLength, offset + length);
                    if (chunkLength < 0 || (long)groupStateLength + chunkLength > expectedGroupStateLength)
                    {
                        throw new IllegalStateException("group state longer than " + expectedGroupStateLength);
                    }
                    groupStateChunkDecoder.getChunk(groupState, groupStateLength, chunkLength);
                    groupStateLength += chunkLength;
                    break;
                }

                case UserEventDecoder.TEMPLATE_ID:
                    checkHeader();
                    users.add(securityCodec.decodeUser(buffer, offset, headerDecoder));
                    break;

                case AclEventDecoder.TEMPLATE_ID:
                {
                    checkHeader();
                    final AclBinding acl = securityCodec.decodeAcl(buffer, offset, headerDecoder);
                    if (null == acl)
                    {
                        throw new IllegalStateException("snapshot ACL with an unknown code");
                    }
                    acls.add(acl);
                    break;
                }

                case BrokerEventDecoder.TEMPLATE_ID:
                {
                    checkHeader();
                    final RegisteredBroker broker = brokerCodec.decode(buffer, offset, headerDecoder);
                    if (null == broker)
                    {
                        throw new IllegalStateException("snapshot broker with an unknown state");
                    }
                    brokers.add(broker);
                    break;
                }

                case PartitionChangeEventDecoder.TEMPLATE_ID:
                    checkHeader();
                    if (partitions.size() >= expectedPartitionCount)
                    {
                        throw new IllegalStateException("more snapshot partitions than " + expectedPartitionCount);
                    }
                    partitions.add(partitionCodec.decode(buffer, offset, headerDecoder));
                    break;

                case LeaderEpochEventDecoder.TEMPLATE_ID:
                    checkHeader();
                    if (epochs.size() >= expectedEpochCount)
                    {
                        throw new IllegalStateException("more snapshot leader epochs than " + expectedEpochCount);
                    }
                    TopicEventCodec.checkWithin(bodyEnd, offset + length);
                    epochDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                    epochs.add(new PartitionReplicas.EpochRecord(epochDecoder.topicId(), epochDecoder.partition(),
                        epochDecoder.epoch(), epochDecoder.startPosition(), epochDecoder.startOffset(),
                        epochDecoder.leaderRecordingId()));
                    break;

                case ControllerSnapshotEndDecoder.TEMPLATE_ID:
                    checkHeader();
                    if (epochs.size() != expectedEpochCount)
                    {
                        throw new IllegalStateException(
                            "snapshot leader epoch count mismatch: " + expectedEpochCount + "/" + epochs.size());
                    }
                    if (partitions.size() != expectedPartitionCount)
                    {
                        throw new IllegalStateException(
                            "snapshot partition count mismatch: " + expectedPartitionCount + "/" + partitions.size());
                    }
                    if (brokers.size() != expectedBrokerCount)
                    {
                        throw new IllegalStateException(
                            "snapshot broker count mismatch: " + expectedBrokerCount + "/" + brokers.size());
                    }
                    if (users.size() != expectedUserCount || acls.size() != expectedAclCount)
                    {
                        throw new IllegalStateException("snapshot security count mismatch: users " +
                            expectedUserCount + "/" + users.size() + " acls " + expectedAclCount + "/" + acls.size());
                    }
                    if (groupStateLength != expectedGroupStateLength)
                    {
                        throw new IllegalStateException("snapshot group state length mismatch: header=" +
                            expectedGroupStateLength + " read=" + groupStateLength);
                    }
                    TopicEventCodec.checkWithin(bodyEnd, offset + length);
                    snapshotEndDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                    final int topicCount = snapshotEndDecoder.topicCount();
                    if (topicCount != expectedTopicCount || topicCount != topics.size())
                    {
                        throw new IllegalStateException("snapshot topic count mismatch: header=" + expectedTopicCount +
                            " end=" + topicCount + " read=" + topics.size());
                    }
                    isComplete = true;
                    break;

                default:
                    throw new IllegalStateException("unexpected snapshot message: " +
                        TopicEventCodec.describe(headerDecoder));
            }
        }

        /**
         * Has the end marker been read?
         *
         * @return true once the end marker has been read.
         */
        public boolean isComplete()
        {
            return isComplete;
        }

        /**
         * Replace the state with what was loaded, ignoring consumer groups.
         *
         * @param state to restore into.
         * @throws IllegalStateException if the snapshot is incomplete or inconsistent.
         */
        public void restoreInto(final ControllerState state)
        {
            restoreInto(state, null);
        }

        /**
         * Replace the state and the consumer groups with what was loaded.
         *
         * @param state  to restore into.
         * @param groups to restore into, or null to ignore the groups; an empty group state restores no groups.
         * @throws IllegalStateException if the snapshot is incomplete or inconsistent.
         */
        public void restoreInto(final ControllerState state, final GroupCoordinator groups)
        {
            restoreInto(state, groups, null, null);
        }

        /**
         * Replace the state, the consumer groups, the users and the ACLs with what was loaded.
         *
         * @param state  to restore into.
         * @param groups to restore into, or null to ignore the groups.
         * @param users  to restore into, or null to ignore them.
         * @param acls   to restore into, or null to ignore them.
         * @throws IllegalStateException if the snapshot is incomplete or inconsistent.
         */
        public void restoreInto(
            final ControllerState state, final GroupCoordinator groups, final UserStore users, final AclStore acls)
        {
            restoreInto(state, groups, users, acls, null);
        }

        /**
         * Replace the state, the consumer groups, the users, the ACLs and the brokers with what was loaded.
         *
         * @param state   to restore into.
         * @param groups  to restore into, or null to ignore the groups.
         * @param users   to restore into, or null to ignore them.
         * @param acls    to restore into, or null to ignore them.
         * @param brokers to restore into, or null to ignore them; a snapshot without brokers restores none.
         * @throws IllegalStateException if the snapshot is incomplete or inconsistent.
         */
        public void restoreInto(
            final ControllerState state,
            final GroupCoordinator groups,
            final UserStore users,
            final AclStore acls,
            final BrokerRegistry brokers)
        {
            restoreInto(state, groups, users, acls, brokers, null);
        }

        /**
         * Replace the whole controller state with what was loaded.
         *
         * @param state    to restore into.
         * @param groups   to restore into, or null to ignore the groups.
         * @param users    to restore into, or null to ignore them.
         * @param acls     to restore into, or null to ignore them.
         * @param brokers  to restore into, or null to ignore them; a snapshot without brokers restores none.
         * @param replicas to restore into, or null to ignore them; a snapshot without partition states restores
         *                 every partition with one replica, broker 0.
         * @throws IllegalStateException if the snapshot is incomplete or inconsistent.
         */
        public void restoreInto(
            final ControllerState state,
            final GroupCoordinator groups,
            final UserStore users,
            final AclStore acls,
            final BrokerRegistry brokers,
            final PartitionReplicas replicas)
        {
            if (!isComplete)
            {
                throw new IllegalStateException("snapshot incomplete: no end marker");
            }

            state.restore(nextTopicId, nextStreamId, nextProducerId, topics);
            if (null != groups && groupStateLength > 0)
            {
                final BufferSnapshotSource source = new BufferSnapshotSource(groupState, 0, groupStateLength);
                groups.restore(source);
                if (source.remaining() != 0)
                {
                    throw new IllegalStateException("group state has " + source.remaining() + " bytes left over");
                }
            }
            if (null != users)
            {
                users.restore(this.users);
            }
            if (null != acls)
            {
                acls.restore(this.acls);
            }
            if (null != brokers)
            {
                brokers.restore(lastBrokerEpoch, this.brokers);
            }
            if (null != replicas)
            {
                final TreeMap<Integer, Integer> partitionCounts = new TreeMap<>();
                for (final TopicMetadata topic : topics)
                {
                    partitionCounts.put(topic.topicId(), topic.partitions());
                }
                replicas.restore(partitionCounts, partitions, epochs);
            }
        }

        private void checkHeader()
        {
            if (!hasHeader)
            {
                throw new IllegalStateException("snapshot message before header");
            }
        }
    }
}
