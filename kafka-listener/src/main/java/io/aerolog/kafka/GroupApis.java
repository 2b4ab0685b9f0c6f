package io.aerolog.kafka;

import io.aerolog.client.AerologException;
import io.aerolog.client.OffsetAndMetadata;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.client.GroupInfo;
import io.aerolog.client.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FindCoordinator (the listener is every group's coordinator), OffsetCommit and OffsetFetch: committed offsets live
 * in the controller, where native consumers and {@code aerolog groups} see the same ones. Listener thread.
 */
final class GroupApis
{
    private final KafkaListener.Config config;
    private final NativeClients clients;
    private final TopicCatalog catalog;
    private final ClassicGroups groups;
    private final ListenerCounters counters;

    GroupApis(
        final KafkaListener.Config config,
        final NativeClients clients,
        final TopicCatalog catalog,
        final ClassicGroups groups,
        final ListenerCounters counters)
    {
        this.config = config;
        this.clients = clients;
        this.catalog = catalog;
        this.groups = groups;
        this.counters = counters;
    }

    ClassicGroups classic()
    {
        return groups;
    }

    FindCoordinatorResponseData findCoordinator(final FindCoordinatorRequestData request, final short version)
    {
        final FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        // Groups only: transactions are not served.
        final Errors error = FindCoordinatorRequest.CoordinatorType.GROUP.id() == request.keyType() ? Errors.NONE :
            Errors.COORDINATOR_NOT_AVAILABLE;
        if (Errors.NONE != error)
        {
            ListenerCounters.increment(counters.errorResponses);
        }
        if (version < 4)
        {
            return response.setErrorCode(error.code()).setNodeId(Errors.NONE == error ? config.nodeId() : -1)
                .setHost(Errors.NONE == error ? config.advertisedHost() : "")
                .setPort(Errors.NONE == error ? config.advertisedPort() : -1);
        }
        for (final String key : request.coordinatorKeys())
        {
            response.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key)
                .setErrorCode(error.code()).setNodeId(Errors.NONE == error ? config.nodeId() : -1)
                .setHost(Errors.NONE == error ? config.advertisedHost() : "")
                .setPort(Errors.NONE == error ? config.advertisedPort() : -1));
        }
        return response;
    }

    OffsetCommitResponseData offsetCommit(final OffsetCommitRequestData request, final short version)
    {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        final Map<OffsetCommitRequestData.OffsetCommitRequestTopic, String> names = new HashMap<>();
        for (final OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics())
        {
            final String name = version >= 10 ? catalog.nameOf(topic.topicId()) : topic.name();
            names.put(topic, name);
            if (null == name)
            {
                continue;
            }
            for (final OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions())
            {
                offsets.put(new TopicPartition(name, partition.partitionIndex()), new OffsetAndMetadata(
                    partition.committedOffset(), null == partition.committedMetadata() ? "" :
                    partition.committedMetadata()));
            }
        }
        final Errors outcome = offsets.isEmpty() ? Errors.NONE :
            groups.commit(request.groupId(), request.generationIdOrMemberEpoch(), request.memberId(), offsets);
        final OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (final OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics())
        {
            final OffsetCommitResponseData.OffsetCommitResponseTopic answer =
                new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(topic.name())
                    .setTopicId(null == topic.topicId() ? Uuid.ZERO_UUID : topic.topicId());
            response.topics().add(answer);
            final Errors error = null == names.get(topic) ?
                (version >= 10 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION) : outcome;
            for (final OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions())
            {
                if (Errors.NONE != error)
                {
                    ListenerCounters.increment(counters.errorResponses);
                }
                answer.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                    .setPartitionIndex(partition.partitionIndex()).setErrorCode(error.code()));
            }
        }
        return response;
    }

    OffsetFetchResponseData offsetFetch(final OffsetFetchRequestData request, final short version)
    {
        final OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (version < 8)
        {
            final Map<TopicPartition, OffsetAndMetadata> committed = committed(request.groupId());
            final Map<String, List<Integer>> asked = new LinkedHashMap<>();
            if (null == request.topics())
            {
                committed.keySet().forEach((tp) -> asked.computeIfAbsent(tp.topic(), (t) -> new ArrayList<>())
                    .add(tp.partition()));
            }
            else
            {
                request.topics().forEach((t) -> asked.put(t.name(), t.partitionIndexes()));
            }
            asked.forEach((topic, partitions) ->
            {
                final OffsetFetchResponseData.OffsetFetchResponseTopic answer =
                    new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(topic);
                response.topics().add(answer);
                for (final int partition : partitions)
                {
                    final OffsetAndMetadata offset = committed.get(new TopicPartition(topic, partition));
                    answer.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                        .setPartitionIndex(partition)
                        .setCommittedOffset(null == offset ? -1 : offset.offset())
                        .setMetadata(null == offset ? "" : offset.metadata()));
                }
            });
            return response;
        }
        for (final OffsetFetchRequestData.OffsetFetchRequestGroup group : request.groups())
        {
            final Map<TopicPartition, OffsetAndMetadata> committed = committed(group.groupId());
            final OffsetFetchResponseData.OffsetFetchResponseGroup groupAnswer =
                new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(group.groupId());
            response.groups().add(groupAnswer);
            final Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> byTopic = new LinkedHashMap<>();
            if (null == group.topics())
            {
                committed.forEach((tp, offset) -> byTopic.computeIfAbsent(tp.topic(), (t) ->
                    topicsAnswer(t, version)).partitions().add(
                    new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(tp.partition())
                        .setCommittedOffset(offset.offset()).setMetadata(offset.metadata())));
            }
            else
            {
                for (final OffsetFetchRequestData.OffsetFetchRequestTopics topic : group.topics())
                {
                    final String name = version >= 10 ? catalog.nameOf(topic.topicId()) : topic.name();
                    final OffsetFetchResponseData.OffsetFetchResponseTopics answer =
                        new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(topic.name())
                            .setTopicId(null == topic.topicId() ? Uuid.ZERO_UUID : topic.topicId());
                    byTopic.put(topic.name() + "/" + topic.topicId(), answer);
                    for (final int partition : topic.partitionIndexes())
                    {
                        final OffsetAndMetadata offset = null == name ? null :
                            committed.get(new TopicPartition(name, partition));
                        answer.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                            .setPartitionIndex(partition)
                            .setCommittedOffset(null == offset ? -1 : offset.offset())
                            .setMetadata(null == offset ? "" : offset.metadata())
                            .setErrorCode((null == name ? Errors.UNKNOWN_TOPIC_ID : Errors.NONE).code()));
                    }
                }
            }
            groupAnswer.setTopics(new ArrayList<>(byTopic.values()));
        }
        return response;
    }

    private OffsetFetchResponseData.OffsetFetchResponseTopics topicsAnswer(final String topic, final short version)
    {
        final OffsetFetchResponseData.OffsetFetchResponseTopics answer =
            new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(topic);
        if (version >= 10)
        {
            final io.aerolog.client.TopicInfo info = catalog.cached(topic);
            answer.setTopicId(null == info ? Uuid.ZERO_UUID : TopicCatalog.idOf(info));
        }
        return answer;
    }

    ListGroupsResponseData listGroups(final ListGroupsRequestData request)
    {
        final ListGroupsResponseData response = new ListGroupsResponseData();
        for (final GroupListing listing : clients.admin().listGroups())
        {
            final String state = 0 == listing.memberCount() ? "Empty" : "Stable";
            if (!request.statesFilter().isEmpty() && !request.statesFilter().contains(state))
            {
                continue;
            }
            // Listed as classic groups, so that Kafka's tools describe them with DescribeGroups.
            if (!request.typesFilter().isEmpty() && !request.typesFilter().contains("classic"))
            {
                continue;
            }
            response.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(listing.groupId())
                .setProtocolType(ConsumerProtocol.PROTOCOL_TYPE).setGroupState(state).setGroupType("classic"));
        }
        return response;
    }

    DescribeGroupsResponseData describeGroups(final DescribeGroupsRequestData request)
    {
        final DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        for (final String groupId : request.groups())
        {
            final DescribeGroupsResponseData.DescribedGroup described =
                new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId);
            response.groups().add(described);
            final GroupInfo info;
            try
            {
                info = clients.admin().describeGroup(groupId);
            }
            catch (final AerologException ex)
            {
                if (ErrorCode.UNKNOWN_GROUP == ex.code())
                {
                    described.setGroupState("Dead").setProtocolType("").setProtocolData("");
                }
                else
                {
                    ListenerCounters.increment(counters.errorResponses);
                    described.setErrorCode(ErrorCodes.of(ex).code());
                }
                continue;
            }
            // Each member's partitions as the controller assigned them, in the consumer protocol's format.
            final Map<String, List<org.apache.kafka.common.TopicPartition>> owned = new HashMap<>();
            for (final GroupInfo.PartitionLag lag : info.partitions())
            {
                if (!lag.ownerMemberId().isEmpty())
                {
                    owned.computeIfAbsent(lag.ownerMemberId(), (m) -> new ArrayList<>()).add(
                        new org.apache.kafka.common.TopicPartition(lag.partition().topic(),
                            lag.partition().partition()));
                }
            }
            described.setGroupState(info.members().isEmpty() ? "Empty" : "Stable")
                .setProtocolType(ConsumerProtocol.PROTOCOL_TYPE).setProtocolData(info.assignor());
            for (final GroupInfo.Member member : info.members())
            {
                final java.nio.ByteBuffer assignment = ConsumerProtocol.serializeAssignment(
                    new ConsumerPartitionAssignor.Assignment(owned.getOrDefault(member.memberId(), List.of())),
                    (short)0);
                final byte[] bytes = new byte[assignment.remaining()];
                assignment.get(bytes);
                described.members().add(new DescribeGroupsResponseData.DescribedGroupMember()
                    .setMemberId(member.memberId())
                    .setGroupInstanceId(member.instanceId().isEmpty() ? null : member.instanceId())
                    .setClientId(member.memberId()).setClientHost("")
                    .setMemberMetadata(new byte[0]).setMemberAssignment(bytes));
            }
        }
        return response;
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(final String groupId)
    {
        try
        {
            return clients.admin().listGroupOffsets(groupId);
        }
        catch (final AerologException ex)
        {
            if (ErrorCode.UNKNOWN_GROUP == ex.code())
            {
                return Map.of(); // no offsets yet: the client starts by its reset policy
            }
            throw ex;
        }
    }
}
