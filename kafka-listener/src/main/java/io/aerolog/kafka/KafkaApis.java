package io.aerolog.kafka;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.EnumMap;
import java.util.Map;

/**
 * Which Kafka APIs the listener serves, at which versions, and which handler answers each. It advertises only
 * what it implements, with kafka-clients' full version range for each (the generated classes read and write every
 * version); Produce is advertised from version 0, as Kafka does, because librdkafka turns compression off when
 * the advertised minimum is 3, though only versions 3 and up are accepted.
 */
final class KafkaApis
{
    private static final Map<ApiKeys, short[]> SUPPORTED = new EnumMap<>(ApiKeys.class);

    static
    {
        for (final ApiKeys key : new ApiKeys[]{ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE,
            ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.INIT_PRODUCER_ID, ApiKeys.CREATE_TOPICS,
            ApiKeys.DELETE_TOPICS, ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT,
            ApiKeys.LEAVE_GROUP, ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.LIST_GROUPS,
            ApiKeys.DESCRIBE_GROUPS, ApiKeys.DESCRIBE_CONFIGS})
        {
            SUPPORTED.put(key, new short[]{key.oldestVersion(), key.latestVersion()});
        }
    }

    private final AdminApis admin;
    private final ProduceApi produce;
    private final FetchApi fetch;
    private final GroupApis groups;
    private final ConfigsApi configs;

    KafkaApis(
        final AdminApis admin,
        final ProduceApi produce,
        final FetchApi fetch,
        final GroupApis groups,
        final ConfigsApi configs)
    {
        this.configs = configs;
        this.admin = admin;
        this.produce = produce;
        this.fetch = fetch;
        this.groups = groups;
    }

    /**
     * Work that is not a request: members whose session timed out leave their group.
     *
     * @param nowNs the listener's clock.
     * @return work done.
     */
    int doDutyCycle(final long nowNs)
    {
        return groups.classic().expire(nowNs);
    }

    /** Ends every group membership the listener holds for Kafka clients. */
    void close()
    {
        groups.classic().close();
    }

    /**
     * @param key     an API.
     * @param version asked for.
     * @return whether the listener reads that version of that API.
     */
    static boolean accepts(final ApiKeys key, final short version)
    {
        final short[] range = SUPPORTED.get(key);
        return null != range && version >= range[0] && version <= range[1];
    }

    /** @return the ApiVersions answer: every API served, with its range. */
    static ApiVersionsResponseData apiVersions(final Errors error)
    {
        final ApiVersionsResponseData response = new ApiVersionsResponseData().setErrorCode(error.code());
        for (final Map.Entry<ApiKeys, short[]> entry : SUPPORTED.entrySet())
        {
            final ApiKeys key = entry.getKey();
            response.apiKeys().add(new ApiVersionsResponseData.ApiVersion()
                .setApiKey(key.id)
                .setMinVersion(ApiKeys.PRODUCE == key ? ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION :
                    entry.getValue()[0])
                .setMaxVersion(entry.getValue()[1]));
        }
        return response;
    }

    /**
     * @param connection the request came on.
     * @param clientId   the request header's client id.
     * @param key        of the request.
     * @param version    of the request.
     * @param request    its body.
     * @return the response, a {@link PendingRequest}, or null when the request gets no answer (acks=0 produce).
     */
    Object handle(
        final KafkaConnection connection,
        final String clientId,
        final ApiKeys key,
        final short version,
        final ApiMessage request)
    {
        return switch (key)
        {
            case API_VERSIONS -> apiVersions(Errors.NONE);
            case METADATA -> admin.metadata((MetadataRequestData)request, version);
            case PRODUCE -> produce.handle((ProduceRequestData)request, version);
            case FETCH -> fetch.handle(connection, (FetchRequestData)request, version);
            case LIST_OFFSETS -> admin.listOffsets((ListOffsetsRequestData)request, version);
            case INIT_PRODUCER_ID -> admin.initProducerId((InitProducerIdRequestData)request);
            case CREATE_TOPICS -> admin.createTopics((CreateTopicsRequestData)request);
            case DELETE_TOPICS -> admin.deleteTopics((DeleteTopicsRequestData)request, version);
            case FIND_COORDINATOR -> groups.findCoordinator((FindCoordinatorRequestData)request, version);
            case JOIN_GROUP -> groups.classic().join((JoinGroupRequestData)request, version, clientId);
            case SYNC_GROUP -> groups.classic().sync((SyncGroupRequestData)request);
            case HEARTBEAT -> groups.classic().heartbeat((HeartbeatRequestData)request);
            case LEAVE_GROUP -> groups.classic().leave((LeaveGroupRequestData)request, version);
            case OFFSET_COMMIT -> groups.offsetCommit((OffsetCommitRequestData)request, version);
            case OFFSET_FETCH -> groups.offsetFetch((OffsetFetchRequestData)request, version);
            case DESCRIBE_CONFIGS -> configs.describeConfigs((DescribeConfigsRequestData)request);
            case LIST_GROUPS -> groups.listGroups((ListGroupsRequestData)request);
            case DESCRIBE_GROUPS -> groups.describeGroups((DescribeGroupsRequestData)request);
            default -> throw new IllegalStateException("not served: " + key);
        };
    }
}
