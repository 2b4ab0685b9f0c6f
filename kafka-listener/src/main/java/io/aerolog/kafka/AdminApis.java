package io.aerolog.kafka;

import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.TopicInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * The requests answered from the controller's metadata through the native admin client: Metadata (with Kafka's
 * auto-creation), ListOffsets, InitProducerId, CreateTopics and DeleteTopics. The listener presents itself as the
 * one broker of the cluster and leader of every partition: it forwards to the real leaders through the native
 * clients, so Kafka clients never need another address. Listener thread; each call is a round trip to the broker.
 */
final class AdminApis
{
    private final KafkaListener.Config config;
    private final NativeClients clients;
    private final TopicCatalog catalog;
    private final ListenerCounters counters;
    private final long producerIdBase;
    private long nextProducerId;

    AdminApis(
        final KafkaListener.Config config,
        final NativeClients clients,
        final TopicCatalog catalog,
        final ListenerCounters counters,
        final long producerIdBase)
    {
        this.config = config;
        this.clients = clients;
        this.catalog = catalog;
        this.counters = counters;
        this.producerIdBase = producerIdBase;
    }

    MetadataResponseData metadata(final MetadataRequestData request, final short version)
    {
        final MetadataResponseData response = new MetadataResponseData()
            .setClusterId(config.clusterId())
            .setControllerId(config.nodeId());
        response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
            .setNodeId(config.nodeId()).setHost(config.advertisedHost()).setPort(config.advertisedPort()));
        final List<String> names = new ArrayList<>();
        final boolean all = null == request.topics();
        if (all)
        {
            names.addAll(catalog.names());
        }
        else
        {
            for (final MetadataRequestData.MetadataRequestTopic topic : request.topics())
            {
                final String name = null != topic.name() ? topic.name() :
                    catalog.nameOf(null == topic.topicId() ? Uuid.ZERO_UUID : topic.topicId());
                if (null == name)
                {
                    response.topics().add(new MetadataResponseData.MetadataResponseTopic()
                        .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()).setTopicId(topic.topicId()));
                    ListenerCounters.increment(counters.errorResponses);
                    continue;
                }
                names.add(name);
            }
        }
        // Kafka's auto.create.topics.enable, asked for by clients from Metadata v4 on.
        final boolean mayCreate = !all && config.autoCreateTopics() && (version < 4 || request.allowAutoTopicCreation());
        for (final String name : names)
        {
            TopicInfo info;
            Errors error = Errors.NONE;
            try
            {
                info = catalog.describe(name);
                if (null == info && mayCreate)
                {
                    info = autoCreate(name);
                }
            }
            catch (final AerologException ex)
            {
                info = null;
                error = ErrorCodes.of(ex);
            }
            final MetadataResponseData.MetadataResponseTopic topic =
                new MetadataResponseData.MetadataResponseTopic().setName(name);
            if (null == info)
            {
                ListenerCounters.increment(counters.errorResponses);
                topic.setErrorCode((Errors.NONE == error ? Errors.UNKNOWN_TOPIC_OR_PARTITION : error).code());
            }
            else
            {
                topic.setTopicId(TopicCatalog.idOf(info)).setIsInternal(false);
                for (final TopicInfo.PartitionInfo p : info.partitions())
                {
                    final boolean offline = TopicInfo.PartitionInfo.NO_LEADER == p.leader();
                    topic.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                        .setErrorCode((offline ? Errors.LEADER_NOT_AVAILABLE : Errors.NONE).code())
                        .setPartitionIndex(p.partition())
                        .setLeaderId(offline ? -1 : config.nodeId())
                        .setLeaderEpoch(Math.max(0, p.leaderEpoch()))
                        .setReplicaNodes(List.of(config.nodeId()))
                        .setIsrNodes(List.of(config.nodeId()))
                        .setOfflineReplicas(List.of()));
                }
            }
            response.topics().add(topic);
        }
        return response;
    }

    private TopicInfo autoCreate(final String name)
    {
        try
        {
            clients.admin().createTopic(name, config.defaultPartitions(), -1, -1, false, -1, -1);
        }
        catch (final AerologException ex)
        {
            if (io.aerolog.codecs.wire.ErrorCode.TOPIC_ALREADY_EXISTS != ex.code())
            {
                throw ex;
            }
        }
        return catalog.describe(name);
    }

    ListOffsetsResponseData listOffsets(final ListOffsetsRequestData request, final short version)
    {
        final ListOffsetsResponseData response = new ListOffsetsResponseData();
        final Admin admin = clients.admin();
        for (final ListOffsetsRequestData.ListOffsetsTopic topic : request.topics())
        {
            final ListOffsetsResponseData.ListOffsetsTopicResponse topicResponse =
                new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
            response.topics().add(topicResponse);
            for (final ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions())
            {
                final ListOffsetsResponseData.ListOffsetsPartitionResponse answer =
                    new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(partition.partitionIndex()).setTimestamp(-1).setOffset(-1)
                        .setLeaderEpoch(-1);
                topicResponse.partitions().add(answer);
                final long spec = nativeSpec(partition.timestamp());
                if (Long.MIN_VALUE == spec)
                {
                    ListenerCounters.increment(counters.errorResponses);
                    answer.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
                    continue;
                }
                try
                {
                    final TopicInfo info = catalog.cached(topic.name());
                    if (null == info || partition.partitionIndex() < 0 ||
                        partition.partitionIndex() >= info.partitions().size())
                    {
                        ListenerCounters.increment(counters.errorResponses);
                        answer.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                        continue;
                    }
                    final long offset = admin.listOffset(topic.name(), partition.partitionIndex(), spec);
                    answer.setOffset(offset);
                    if (version >= 4) // not in earlier versions, and the writer refuses a value it cannot send
                    {
                        answer.setLeaderEpoch(Math.max(0, info.partitions().get(partition.partitionIndex())
                            .leaderEpoch()));
                    }
                    if (spec >= 0 && offset >= 0)
                    {
                        answer.setTimestamp(partition.timestamp());
                    }
                }
                catch (final AerologException ex)
                {
                    ListenerCounters.increment(counters.errorResponses);
                    answer.setErrorCode(ErrorCodes.of(ex).code());
                }
            }
        }
        return response;
    }

    // Kafka's special timestamps: without tiered storage, earliest-local is earliest and latest-tiered is latest.
    private static long nativeSpec(final long timestamp)
    {
        if (ListOffsetsRequest.EARLIEST_TIMESTAMP == timestamp || ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP ==
            timestamp)
        {
            return Admin.EARLIEST;
        }
        if (ListOffsetsRequest.LATEST_TIMESTAMP == timestamp || ListOffsetsRequest.LATEST_TIERED_TIMESTAMP ==
            timestamp)
        {
            return Admin.LATEST;
        }
        return timestamp >= 0 ? timestamp : Long.MIN_VALUE;
    }

    InitProducerIdResponseData initProducerId(final InitProducerIdRequestData request)
    {
        final InitProducerIdResponseData response = new InitProducerIdResponseData();
        if (null != request.transactionalId())
        {
            ListenerCounters.increment(counters.errorResponses);
            return response.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                .setProducerId(-1).setProducerEpoch((short)-1);
        }
        if (request.producerId() >= 0 && request.producerEpoch() >= 0 && request.producerEpoch() < Short.MAX_VALUE)
        {
            // KIP-360: a producer bumping its epoch after an error keeps its id.
            return response.setProducerId(request.producerId()).setProducerEpoch((short)(request.producerEpoch() + 1));
        }
        return response.setProducerId(producerIdBase + nextProducerId++).setProducerEpoch((short)0);
    }

    CreateTopicsResponseData createTopics(final CreateTopicsRequestData request)
    {
        final CreateTopicsResponseData response = new CreateTopicsResponseData();
        for (final CreateTopicsRequestData.CreatableTopic topic : request.topics())
        {
            final CreateTopicsResponseData.CreatableTopicResult result =
                new CreateTopicsResponseData.CreatableTopicResult().setName(topic.name());
            response.topics().add(result);
            try
            {
                final TopicSettings settings = TopicSettings.of(topic, config.defaultPartitions());
                if (!request.validateOnly())
                {
                    clients.admin().createTopic(topic.name(), settings.partitions(), settings.retentionMs(),
                        settings.retentionBytes(), settings.logAppendTime(), settings.replicationFactor(),
                        settings.minInsyncReplicas());
                    final TopicInfo info = catalog.describe(topic.name());
                    if (null != info)
                    {
                        result.setTopicId(TopicCatalog.idOf(info)).setNumPartitions(info.partitions().size())
                            .setReplicationFactor((short)info.partitions().get(0).replicas().size());
                    }
                }
                else
                {
                    result.setNumPartitions(settings.partitions())
                        .setReplicationFactor((short)Math.max(1, settings.replicationFactor()));
                }
            }
            catch (final TopicSettings.InvalidSettingException ex)
            {
                ListenerCounters.increment(counters.errorResponses);
                result.setErrorCode(ex.error.code()).setErrorMessage(ex.getMessage());
            }
            catch (final AerologException ex)
            {
                ListenerCounters.increment(counters.errorResponses);
                result.setErrorCode(ErrorCodes.of(ex).code()).setErrorMessage(ex.getMessage());
            }
        }
        return response;
    }

    DeleteTopicsResponseData deleteTopics(final DeleteTopicsRequestData request, final short version)
    {
        final DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        final List<String> names = new ArrayList<>();
        final List<Uuid> ids = new ArrayList<>();
        if (version >= 6)
        {
            for (final DeleteTopicsRequestData.DeleteTopicState state : request.topics())
            {
                final Uuid id = null == state.topicId() ? Uuid.ZERO_UUID : state.topicId();
                names.add(null != state.name() ? state.name() :
                    Uuid.ZERO_UUID.equals(id) ? null : catalog.nameOf(id));
                ids.add(id);
            }
        }
        else
        {
            for (final String name : request.topicNames())
            {
                names.add(name);
                ids.add(Uuid.ZERO_UUID);
            }
        }
        for (int i = 0; i < names.size(); i++)
        {
            final String name = names.get(i);
            final DeleteTopicsResponseData.DeletableTopicResult result =
                new DeleteTopicsResponseData.DeletableTopicResult().setName(name).setTopicId(ids.get(i));
            response.responses().add(result);
            if (null == name)
            {
                ListenerCounters.increment(counters.errorResponses);
                result.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                continue;
            }
            try
            {
                clients.admin().deleteTopic(name);
                catalog.forget(name);
            }
            catch (final AerologException ex)
            {
                ListenerCounters.increment(counters.errorResponses);
                result.setErrorCode(ErrorCodes.of(ex).code()).setErrorMessage(ex.getMessage());
            }
        }
        return response;
    }
}
