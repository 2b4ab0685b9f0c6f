package io.aerolog.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A consumer's check of its streams that went silent. A leader killed without a word leaves its stream open until
 * the image's liveness timeout (10 s by default), so a stream silent for {@link #SILENCE_NS} asks the metadata, at
 * most that often and each topic once, whether its partition has another leader now (then it fetches from that one)
 * or its leader stopped answering (then every stream from that broker looks for a new leader). Allocates, but only
 * while a stream is silent. <b>Not thread-safe:</b> the consumer's thread.
 */
final class SilentLeaderCheck
{
    /** How long a stream may go without data before its leader is checked, and how often checks run. */
    static final long SILENCE_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long REQUEST_TIMEOUT_MS = 500;

    /** A partition's stream, as the check sees it. */
    interface Stream
    {
        /**
         * @param nowNs now.
         * @return the broker streaming it when it is streaming and has had no data for {@link #SILENCE_NS}, else
         * null.
         */
        BrokerConnection silentLeader(long nowNs);

        /** @return the partition streamed. */
        TopicPartition topicPartition();

        /** @return the id of its topic when the stream started. */
        int streamedTopicId();

        /** Its partition has another leader now: fetch from it. */
        void leaderLost();
    }

    private final ClusterMetadata metadata;
    private final Map<String, TopicInfo> topics;
    private final Consumer<BrokerConnection> onConnectionLost;
    private long checkedNs = System.nanoTime();

    /**
     * @param metadata         to ask.
     * @param topics           the consumer's topic descriptions, refreshed with what the check learns.
     * @param onConnectionLost told of a leader that no longer answers.
     */
    SilentLeaderCheck(
        final ClusterMetadata metadata,
        final Map<String, TopicInfo> topics,
        final Consumer<BrokerConnection> onConnectionLost)
    {
        this.metadata = metadata;
        this.topics = topics;
        this.onConnectionLost = onConnectionLost;
    }

    /**
     * Checks the silent streams when a check is due.
     *
     * @param streams the consumer's streams.
     * @param nowNs   now.
     * @return work done.
     */
    int check(final Stream[] streams, final long nowNs)
    {
        if (nowNs - checkedNs < SILENCE_NS)
        {
            return 0;
        }
        checkedNs = nowNs;
        Map<String, TopicInfo> described = null;
        List<BrokerConnection> probed = null;
        int work = 0;
        for (final Stream stream : streams)
        {
            final BrokerConnection leader = stream.silentLeader(nowNs);
            if (null == leader)
            {
                continue;
            }
            if (null == described)
            {
                described = new HashMap<>();
                probed = new ArrayList<>();
            }
            final TopicPartition tp = stream.topicPartition();
            final String topic = tp.topic();
            if (!described.containsKey(topic))
            {
                described.put(topic, describe(topic));
                work++;
            }
            final TopicInfo info = described.get(topic);
            if (null == info || info.topicId() != stream.streamedTopicId() ||
                tp.partition() >= info.partitions().size())
            {
                continue;
            }
            if (info.partitions().get(tp.partition()).leader() != leader.brokerId())
            {
                stream.leaderLost();
            }
            else if (!probed.contains(leader))
            {
                probed.add(leader);
                // The same leader, but it may have restarted and forgotten this session (its old stream never ends).
                if (!metadata.probe(leader, topic, REQUEST_TIMEOUT_MS))
                {
                    onConnectionLost.accept(leader);
                }
            }
        }
        return work;
    }

    private TopicInfo describe(final String topic)
    {
        try
        {
            final TopicInfo info = metadata.refresh(topic, REQUEST_TIMEOUT_MS);
            topics.put(topic, info);
            return info;
        }
        catch (final AerologException ex)
        {
            return null; // no broker answered in time: look again next round
        }
    }
}
