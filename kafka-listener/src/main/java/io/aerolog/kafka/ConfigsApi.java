package io.aerolog.kafka;

import io.aerolog.client.AerologException;
import io.aerolog.client.TopicInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DescribeConfigs: a topic's configs as Kafka names them, from the topic's Aerolog settings ({@code retention.ms},
 * {@code retention.bytes}, {@code message.timestamp.type}, {@code max.message.bytes}, and {@code cleanup.policy}
 * {@code delete}); a broker's as none. Listener thread.
 */
final class ConfigsApi
{
    private static final byte DEFAULT_CONFIG = 5;
    private static final byte TOPIC_CONFIG = 1;

    private final TopicCatalog catalog;
    private final ListenerCounters counters;

    ConfigsApi(final TopicCatalog catalog, final ListenerCounters counters)
    {
        this.catalog = catalog;
        this.counters = counters;
    }

    DescribeConfigsResponseData describeConfigs(final DescribeConfigsRequestData request)
    {
        final DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (final DescribeConfigsRequestData.DescribeConfigsResource resource : request.resources())
        {
            final DescribeConfigsResponseData.DescribeConfigsResult result =
                new DescribeConfigsResponseData.DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            response.results().add(result);
            if (ConfigResource.Type.BROKER.id() == resource.resourceType() ||
                ConfigResource.Type.BROKER_LOGGER.id() == resource.resourceType())
            {
                continue; // no broker configs are offered to Kafka tools
            }
            if (ConfigResource.Type.TOPIC.id() != resource.resourceType())
            {
                ListenerCounters.increment(counters.errorResponses);
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("only topic configs are described");
                continue;
            }
            final TopicInfo info;
            try
            {
                info = catalog.describe(resource.resourceName());
            }
            catch (final AerologException ex)
            {
                ListenerCounters.increment(counters.errorResponses);
                result.setErrorCode(ErrorCodes.of(ex).code()).setErrorMessage(ex.getMessage());
                continue;
            }
            if (null == info)
            {
                ListenerCounters.increment(counters.errorResponses);
                result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage("no topic " + resource.resourceName());
                continue;
            }
            final List<String> keys = resource.configurationKeys();
            for (final Map.Entry<String, String> config : configs(info).entrySet())
            {
                if (null != keys && !keys.isEmpty() && !keys.contains(config.getKey()))
                {
                    continue;
                }
                final boolean isDefault = "-1".equals(config.getValue()) && !config.getKey().startsWith("max");
                result.configs().add(new DescribeConfigsResponseData.DescribeConfigsResourceResult()
                    .setName(config.getKey()).setValue(config.getValue()).setReadOnly(
                        "max.message.bytes".equals(config.getKey()))
                    .setConfigSource(isDefault ? DEFAULT_CONFIG : TOPIC_CONFIG).setIsSensitive(false));
            }
        }
        return response;
    }

    static Map<String, String> configs(final TopicInfo info)
    {
        final Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", "delete");
        configs.put("retention.ms", Long.toString(info.retentionMs()));
        configs.put("retention.bytes", Long.toString(info.retentionBytes()));
        configs.put("message.timestamp.type", info.logAppendTime() ? "LogAppendTime" : "CreateTime");
        configs.put("max.message.bytes", Integer.toString(info.maxBatchBytes()));
        configs.put("compression.type", "producer");
        return configs;
    }
}
