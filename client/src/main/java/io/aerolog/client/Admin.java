package io.aerolog.client;

import io.aerolog.codecs.wire.AdminResponseDecoder;
import io.aerolog.codecs.wire.BrokerListDecoder;
import io.aerolog.codecs.wire.BrokerStatus;
import io.aerolog.codecs.wire.ListBrokersEncoder;
import io.aerolog.codecs.wire.CreateTopicEncoder;
import io.aerolog.codecs.wire.DeleteTopicEncoder;
import io.aerolog.codecs.wire.DescribeTopicEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.ListOffsetsEncoder;
import io.aerolog.codecs.wire.ListOffsetsResponseDecoder;
import io.aerolog.codecs.wire.ListTopicsEncoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.OffsetSpec;
import io.aerolog.codecs.wire.TimestampType;
import io.aerolog.codecs.wire.TopicDescriptionDecoder;
import io.aerolog.codecs.wire.TopicListDecoder;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Manages topics and looks up offsets, like Kafka's {@code Admin}. Every call blocks until the broker answers or
 * the request times out; not for a duty cycle. Not thread safe.
 */
public final class Admin implements AutoCloseable
{
    /** Offset spec meaning "the earliest retained offset" in {@link #listOffset}. */
    public static final long EARLIEST = -2;
    /** Offset spec meaning "the next offset to be written" in {@link #listOffset}. */
    public static final long LATEST = -1;
    /** How long {@link #describeTopic} waits for a partition leader's offsets. */
    public static final long LEADER_OFFSETS_TIMEOUT_MS = 1000;

    private final ClusterMetadata metadata;
    final BrokerConnection connection; // GroupMembership shares it
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    private Admin(final ClusterMetadata metadata)
    {
        this.metadata = metadata;
        this.connection = metadata.bootstrap();
    }

    /**
     * Connects to a broker.
     *
     * @param ctx how to reach it.
     * @return the admin client.
     */
    public static Admin connect(final ClientContext ctx)
    {
        return new Admin(ClusterMetadata.connect(ctx));
    }

    /**
     * Creates a topic.
     *
     * @param topic          name: 1..249 characters of letters, digits, '.', '_' and '-'.
     * @param partitions     how many, at least 1.
     * @param retentionMs    how long records are kept; -1 for ever.
     * @param retentionBytes how many bytes each partition keeps; -1 without bound.
     * @param logAppendTime  stamp records with the broker's time instead of their create time.
     * @throws AerologException if the broker refuses (duplicate name, bad partition count, ...).
     */
    public void createTopic(
        final String topic,
        final int partitions,
        final long retentionMs,
        final long retentionBytes,
        final boolean logAppendTime)
    {
        createTopic(topic, partitions, retentionMs, retentionBytes, logAppendTime, -1, -1);
    }

    /**
     * Creates a replicated topic: each partition on {@code replicationFactor} brokers, one of them its leader.
     *
     * @param topic             name: 1..249 characters of letters, digits, '.', '_' and '-'.
     * @param partitions        how many, at least 1.
     * @param retentionMs       how long records are kept; -1 for ever.
     * @param retentionBytes    how many bytes each partition keeps; -1 without bound.
     * @param logAppendTime     stamp records with the broker's time instead of their create time.
     * @param replicationFactor replicas of each partition, or -1 for the broker's {@code default.replication.factor}.
     * @param minInsyncReplicas in-sync replicas an acks=all write needs, or -1 for the broker's
     *                          {@code min.insync.replicas}.
     * @throws AerologException if the broker refuses (INVALID_REPLICATION_FACTOR for a factor above the live
     *                          brokers, duplicate name, bad partition count, ...).
     */
    public void createTopic(
        final String topic,
        final int partitions,
        final long retentionMs,
        final long retentionBytes,
        final boolean logAppendTime,
        final int replicationFactor,
        final int minInsyncReplicas)
    {
        final long correlationId = connection.nextCorrelationId();
        final CreateTopicEncoder encoder = new CreateTopicEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .partitions(partitions)
            .retentionMs(retentionMs)
            .retentionBytes(retentionBytes)
            .timestampType(logAppendTime ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME)
            .replicationFactor(replicationFactor < 0 ? CreateTopicEncoder.replicationFactorNullValue() :
                (short)Math.min(Short.MAX_VALUE, replicationFactor))
            .minInsyncReplicas(minInsyncReplicas < 0 ? CreateTopicEncoder.minInsyncReplicasNullValue() :
                (short)Math.min(Short.MAX_VALUE, minInsyncReplicas))
            .topicName(topic);
        checkAdminResponse(send(encoder.encodedLength(), correlationId));
    }

    /**
     * Creates a replicated topic that keeps records for ever.
     *
     * @param topic             name.
     * @param partitions        how many.
     * @param replicationFactor replicas of each partition.
     * @param minInsyncReplicas in-sync replicas an acks=all write needs.
     */
    public void createTopic(
        final String topic, final int partitions, final int replicationFactor, final int minInsyncReplicas)
    {
        createTopic(topic, partitions, -1, -1, false, replicationFactor, minInsyncReplicas);
    }

    /**
     * Every broker the controller registered: id, client address, alive or fenced, partitions led.
     *
     * @return the brokers, by id.
     */
    public List<BrokerInfo> listBrokers()
    {
        return listBrokers(connection, headerDecoder);
    }

    static List<BrokerInfo> listBrokers(final BrokerConnection connection, final MessageHeaderDecoder headerDecoder)
    {
        final long correlationId = connection.nextCorrelationId();
        final ListBrokersEncoder encoder = new ListBrokersEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId());
        final DirectBuffer response = connection.request(
            MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), correlationId,
            connection.context().requestTimeoutMs(), null);
        connection.throwIfErrorResponse(response);
        final BrokerListDecoder decoder = new BrokerListDecoder().wrapAndApplyHeader(response, 0, headerDecoder);
        final ErrorCode code = decoder.code();
        final List<BrokerInfo> brokers = new ArrayList<>();
        for (final BrokerListDecoder.BrokersDecoder b : decoder.brokers())
        {
            final BrokerStatus status = b.status();
            final int brokerId = b.brokerId();
            final int portBase = b.portBase();
            final int partitionsLed = b.partitionsLed();
            brokers.add(new BrokerInfo(brokerId, b.host(), portBase, status.name(), partitionsLed));
        }
        final String message = decoder.message();
        if (ErrorCode.NONE != code)
        {
            throw new AerologException(code, message);
        }
        return brokers;
    }

    /**
     * Moves leadership back to preferred leaders (each partition's first replica) wherever that broker is alive and
     * in sync, as Kafka's preferred election. Needs ALTER on the cluster.
     *
     * @param topic one topic, or null for every topic.
     * @return how many partitions changed leader.
     * @throws AerologException {@code UNKNOWN_TOPIC_OR_PARTITION} for a topic the cluster does not have.
     */
    public int electPreferredLeaders(final String topic)
    {
        return LeaderElections.elect(connection, topic, LeaderElections.ALL_PARTITIONS);
    }

    /**
     * Moves leadership of one partition back to its preferred leader, as {@link #electPreferredLeaders(String)}.
     *
     * @param topic     name.
     * @param partition number.
     * @return 1 if its leader changed, else 0 (already led by its preferred leader, or that one is not in sync).
     * @throws AerologException {@code UNKNOWN_TOPIC_OR_PARTITION} for a topic or partition the cluster does not have.
     */
    public int electPreferredLeader(final String topic, final int partition)
    {
        if (partition < 0)
        {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
        return LeaderElections.elect(connection, topic, partition);
    }

    /**
     * Creates a topic that keeps records for ever.
     *
     * @param topic      name.
     * @param partitions how many.
     */
    public void createTopic(final String topic, final int partitions)
    {
        createTopic(topic, partitions, -1, -1, false);
    }

    /**
     * Deletes a topic and its data.
     *
     * @param topic name.
     * @throws AerologException if there is no such topic.
     */
    public void deleteTopic(final String topic)
    {
        final long correlationId = connection.nextCorrelationId();
        final DeleteTopicEncoder encoder = new DeleteTopicEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .topicName(topic);
        checkAdminResponse(send(encoder.encodedLength(), correlationId));
    }

    /**
     * Names of all topics, in the order they were created.
     *
     * @return topic names.
     */
    public List<String> listTopics()
    {
        final long correlationId = connection.nextCorrelationId();
        final ListTopicsEncoder encoder = new ListTopicsEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId());
        final DirectBuffer response = send(encoder.encodedLength(), correlationId);
        final TopicListDecoder decoder = new TopicListDecoder().wrapAndApplyHeader(response, 0, headerDecoder);
        check(decoder.code(), "list topics");
        final List<String> names = new ArrayList<>();
        for (final TopicListDecoder.TopicsDecoder topic : decoder.topics())
        {
            names.add(topic.name());
        }
        return names;
    }

    /**
     * Describes a topic: its config and each partition's leader and offsets. The offsets come from each partition's
     * leader; one that does not answer within {@link #LEADER_OFFSETS_TIMEOUT_MS} (it may be gone, or paused) leaves
     * its partitions' offsets at -1.
     *
     * @param topic name.
     * @return the description.
     * @throws AerologException if there is no such topic.
     */
    public TopicInfo describeTopic(final String topic)
    {
        final TopicInfo info = describe(connection, headerDecoder, topic);
        // A broker knows the offsets of the partitions it leads only: ask each leader for its own.
        final List<TopicInfo.PartitionInfo> partitions = new ArrayList<>(info.partitions());
        final Map<Integer, TopicInfo> byLeader = new java.util.HashMap<>();
        for (int i = 0; i < partitions.size(); i++)
        {
            final TopicInfo.PartitionInfo p = partitions.get(i);
            if (p.leader() == connection.brokerId() || TopicInfo.PartitionInfo.NO_LEADER == p.leader())
            {
                continue;
            }
            final TopicInfo fromLeader = byLeader.computeIfAbsent(p.leader(), (leader) ->
            {
                final BrokerConnection leaderConnection = metadata.connection(leader);
                try
                {
                    return null == leaderConnection ? null : describe(leaderConnection, headerDecoder, topic,
                        Math.min(LEADER_OFFSETS_TIMEOUT_MS, leaderConnection.context().requestTimeoutMs()));
                }
                catch (final AerologException ex)
                {
                    return null; // offsets stay unknown (-1)
                }
            });
            if (null != fromLeader && p.partition() < fromLeader.partitions().size())
            {
                partitions.set(i, p.withOffsetsOf(fromLeader.partitions().get(p.partition())));
            }
        }
        return new TopicInfo(info.name(), info.topicId(), info.retentionMs(), info.retentionBytes(),
            info.logAppendTime(), info.maxBatchBytes(), partitions);
    }

    /**
     * Describes a topic as the broker asked knows it, in one request: its config and each partition's leader, leader
     * epoch, replicas and in-sync replicas (the controller's state); offsets only of the partitions that broker leads,
     * -1 for the others. Never waits on another broker, so it answers while a leader is gone.
     *
     * @param topic name.
     * @return the description.
     * @throws AerologException if there is no such topic.
     */
    public TopicInfo describeTopicMetadata(final String topic)
    {
        return describe(connection, headerDecoder, topic);
    }

    static TopicInfo describe(
        final BrokerConnection connection, final MessageHeaderDecoder headerDecoder, final String topic)
    {
        return describe(connection, headerDecoder, topic, connection.context().requestTimeoutMs());
    }

    static TopicInfo describe(
        final BrokerConnection connection,
        final MessageHeaderDecoder headerDecoder,
        final String topic,
        final long timeoutMs)
    {
        final long correlationId = connection.nextCorrelationId();
        final DescribeTopicEncoder encoder = new DescribeTopicEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .topicName(topic);
        final DirectBuffer response = connection.request(
            MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), correlationId, timeoutMs, null);
        connection.throwIfErrorResponse(response);
        final TopicDescriptionDecoder decoder = new TopicDescriptionDecoder()
            .wrapAndApplyHeader(response, 0, headerDecoder);
        final ErrorCode code = decoder.code();
        final int topicId = decoder.topicId();
        final long retentionMs = decoder.retentionMs();
        final long retentionBytes = decoder.retentionBytes();
        final boolean logAppendTime = decoder.timestampType() == TimestampType.LOG_APPEND_TIME;
        final int maxBatchBytes = decoder.maxBatchBytes();
        final List<TopicInfo.PartitionInfo> partitions = new ArrayList<>();
        for (final TopicDescriptionDecoder.PartitionsDecoder p : decoder.partitions())
        {
            final int partition = p.partition();
            final int leader = p.leaderBrokerId();
            final long logStartOffset = p.logStartOffset();
            final long logEndOffset = p.logEndOffset();
            final long highWatermark = p.highWatermark();
            final int leaderEpoch = p.leaderEpoch();
            final List<Integer> replicas = new ArrayList<>();
            for (final TopicDescriptionDecoder.PartitionsDecoder.ReplicasDecoder r : p.replicas())
            {
                replicas.add(r.brokerId());
            }
            final List<Integer> isr = new ArrayList<>();
            for (final TopicDescriptionDecoder.PartitionsDecoder.IsrDecoder r : p.isr())
            {
                isr.add(r.brokerId());
            }
            partitions.add(new TopicInfo.PartitionInfo(partition, leader, logStartOffset, logEndOffset,
                highWatermark, leaderEpoch, List.copyOf(replicas), List.copyOf(isr)));
        }
        final String name = decoder.topicName();
        final String message = decoder.message();
        if (ErrorCode.NONE != code)
        {
            throw new AerologException(code, message);
        }
        return new TopicInfo(name, topicId, retentionMs, retentionBytes, logAppendTime, maxBatchBytes, partitions);
    }

    /**
     * Every consumer group the controller knows.
     *
     * @return the groups, by id.
     */
    public List<GroupListing> listGroups()
    {
        return GroupRequests.listGroups(connection, connection.context().requestTimeoutMs());
    }

    /**
     * Describes a consumer group: its members and, per partition, owner, committed offset, log end offset and lag.
     *
     * @param groupId of the group.
     * @return the description.
     * @throws AerologException with UNKNOWN_GROUP if there is no such group.
     */
    public GroupInfo describeGroup(final String groupId)
    {
        return GroupRequests.describeGroup(connection, groupId, connection.context().requestTimeoutMs());
    }

    /**
     * The committed offsets of a group.
     *
     * @param groupId of the group.
     * @return committed offset per partition.
     */
    public Map<TopicPartition, OffsetAndMetadata> listGroupOffsets(final String groupId)
    {
        return GroupRequests.fetchOffsets(connection, groupId, List.of(), connection.context().requestTimeoutMs());
    }

    /**
     * Sets a group's committed offsets, all or none. Refused while the group has live members.
     *
     * @param groupId of the group.
     * @param offsets the next offset to consume per partition.
     * @throws AerologException with GROUP_NOT_EMPTY while members are live, UNKNOWN_TOPIC_OR_PARTITION for a bad
     *                          partition.
     */
    public void resetOffsets(final String groupId, final Map<TopicPartition, Long> offsets)
    {
        GroupRequests.resetOffsets(connection, groupId, offsets, connection.context().requestTimeoutMs());
    }

    /**
     * Deletes a group and its committed offsets. Refused while the group has live members.
     *
     * @param groupId of the group.
     * @throws AerologException with UNKNOWN_GROUP or GROUP_NOT_EMPTY.
     */
    public void deleteGroup(final String groupId)
    {
        GroupRequests.deleteGroup(connection, groupId, connection.context().requestTimeoutMs());
    }

    /**
     * Creates a user or sets its password. The broker hashes the password (salted PBKDF2); the controller keeps
     * only the hash. Needs ALTER on the cluster.
     *
     * @param name     of the user: 1..255 bytes, no control characters; '*' and 'ANONYMOUS' are reserved.
     * @param password 1..1024 characters.
     * @throws AerologException with AUTHORIZATION_FAILED or INVALID_REQUEST.
     */
    public void upsertUser(final String name, final String password)
    {
        SecurityRequests.upsertUser(connection, name, password);
    }

    /**
     * Deletes a user (its open sessions keep their principal until they end). Needs ALTER on the cluster.
     *
     * @param name of the user.
     * @throws AerologException with INVALID_REQUEST if there is no such user.
     */
    public void deleteUser(final String name)
    {
        SecurityRequests.deleteUser(connection, name);
    }

    /**
     * Names of every user. Needs DESCRIBE on the cluster.
     *
     * @return the names, in order.
     */
    public List<String> listUsers()
    {
        return SecurityRequests.listUsers(connection);
    }

    /**
     * Adds an ACL (adding one already there changes nothing). Needs ALTER on the cluster.
     *
     * @param acl to add.
     * @throws AerologException with INVALID_REQUEST for a bad principal or name.
     */
    public void addAcl(final AclEntry acl)
    {
        SecurityRequests.changeAcl(connection, acl, true);
    }

    /**
     * Removes an ACL (removing one not there changes nothing). Needs ALTER on the cluster.
     *
     * @param acl to remove.
     */
    public void removeAcl(final AclEntry acl)
    {
        SecurityRequests.changeAcl(connection, acl, false);
    }

    /**
     * Every ACL, in the order added. Needs DESCRIBE on the cluster.
     *
     * @return the ACLs.
     */
    public List<AclEntry> listAcls()
    {
        return SecurityRequests.listAcls(connection);
    }

    /**
     * Looks up an offset of a partition: the earliest retained, the latest (next to be written), or the first
     * whose record timestamp is at or after a time.
     *
     * @param topic     name.
     * @param partition number.
     * @param spec      {@link #EARLIEST}, {@link #LATEST}, or a timestamp in ms since the epoch (>= 0).
     * @return the offset; for a timestamp past every record, -1.
     */
    public long listOffset(final String topic, final int partition, final long spec)
    {
        final TopicInfo info = describe(connection, headerDecoder, topic);
        final int leader = partition >= 0 && partition < info.partitions().size() ?
            info.partitions().get(partition).leader() : connection.brokerId();
        final BrokerConnection leaderConnection = metadata.connection(leader);
        return listOffset(null == leaderConnection ? connection : leaderConnection, headerDecoder, info.topicId(),
            partition, spec);
    }

    static long listOffset(
        final BrokerConnection connection,
        final MessageHeaderDecoder headerDecoder,
        final int topicId,
        final int partition,
        final long spec)
    {
        final long correlationId = connection.nextCorrelationId();
        final ListOffsetsEncoder encoder = new ListOffsetsEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .topicId(topicId)
            .partition(partition)
            .spec(spec == EARLIEST ? OffsetSpec.EARLIEST : spec == LATEST ? OffsetSpec.LATEST : OffsetSpec.TIMESTAMP)
            .timestamp(Math.max(0, spec));
        final DirectBuffer response = connection.request(
            MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), correlationId,
            connection.context().requestTimeoutMs(), null);
        connection.throwIfErrorResponse(response);
        final ListOffsetsResponseDecoder decoder = new ListOffsetsResponseDecoder()
            .wrapAndApplyHeader(response, 0, headerDecoder);
        if (ErrorCode.NONE != decoder.code())
        {
            throw new AerologException(decoder.code(), decoder.message());
        }
        return decoder.resultOffset();
    }

    private DirectBuffer send(final int encodedLength, final long correlationId)
    {
        final DirectBuffer response = connection.request(
            MessageHeaderEncoder.ENCODED_LENGTH + encodedLength, correlationId,
            connection.context().requestTimeoutMs(), null);
        connection.throwIfErrorResponse(response);
        return response;
    }

    private void checkAdminResponse(final DirectBuffer response)
    {
        final AdminResponseDecoder decoder = new AdminResponseDecoder().wrapAndApplyHeader(response, 0, headerDecoder);
        final ErrorCode code = decoder.code();
        final String message = decoder.message();
        if (ErrorCode.NONE != code)
        {
            throw new AerologException(code, message);
        }
    }

    private static void check(final ErrorCode code, final String what)
    {
        if (ErrorCode.NONE != code)
        {
            throw new AerologException(code, what + " failed");
        }
    }

    @Override
    public void close()
    {
        metadata.close();
    }
}
