package io.aerolog.cluster;

import io.aerolog.cluster.group.TopicPartition;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.node.NodeSecret;
import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test helper: a broker's view of the controller for consumer groups. Forwards wire requests as a broker does and
 * waits for their answers; {@link #request} resends after {@code retryMs} without an answer, as a broker would
 * across a leader change (commits and heartbeats are safe to repeat).
 */
final class GroupTestClient implements AutoCloseable
{
    static final long TIMEOUT_MS = 30_000;
    private static final long BROKER_CORRELATION_BASE = 1_000_000_000L;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private final Map<Long, Object> answers = new HashMap<>();
    private final Map<Long, ControllerResult> results = new HashMap<>();
    private final Set<Long> rawRequests = new HashSet<>();
    // Gentle: the controller under test shares the machine's two cores.
    private final IdleStrategy idleStrategy = new BackoffIdleStrategy(
        10, 10, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    private final ControllerClient client;
    private long nextCorrelationId = 1;
    private int newLeaders;
    private int unknownCorrelationResults;
    private ControllerResult lastUnknownCorrelationResult;

    record ControllerResult(int code, int topicId, long value, String message)
    {
    }

    GroupTestClient(final Aeron aeron, final String ingressEndpoints, final NodeSecret secret)
    {
        client = ControllerClient.connect(
            ControllerClient.context(aeron, ingressEndpoints, "aeron:udp?endpoint=localhost:0", secret)
                .messageTimeoutNs(TimeUnit.SECONDS.toNanos(10)),
            new Listener());
    }

    ControllerClient client()
    {
        return client;
    }

    int newLeaders()
    {
        return newLeaders;
    }

    void createTopic(final String name, final int partitions)
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> client.createTopic(correlationId, name, partitions, -1, -1, 0), "create " + name);
        awaitUntil(() -> results.containsKey(correlationId), "create result " + name);
        assertThat(results.get(correlationId).code()).isEqualTo(ErrorCode.NONE.value());
    }

    void deleteTopic(final String name)
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> client.deleteTopic(correlationId, name), "delete " + name);
        awaitUntil(() -> results.containsKey(correlationId), "delete result " + name);
        assertThat(results.get(correlationId).code()).isEqualTo(ErrorCode.NONE.value());
    }

    /**
     * Send a request encoded by {@code encoder} (given the buffer and the client's correlation id) and wait for its
     * answer, checking it echoes the client's correlation id.
     */
    @SuppressWarnings("unchecked")
    <T> T request(final RequestEncoder encoder, final long retryMs)
    {
        final long correlationId = nextCorrelationId++;
        final long brokerCorrelationId = BROKER_CORRELATION_BASE + correlationId;
        final int length = encoder.encode(buffer, correlationId);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (true)
        {
            awaitUntil(() -> client.forwardGroupRequest(brokerCorrelationId, buffer, 0, length), "forward");
            final long retryNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryMs);
            while (System.nanoTime() - retryNs < 0)
            {
                poll();
                final Object answer = answers.remove(brokerCorrelationId);
                if (null != answer)
                {
                    return (T)answer;
                }
                idleStrategy.idle();
            }

            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("no answer to group request " + correlationId + ", controller results: " +
                    results.values());
            }
        }
    }

    <T> T request(final RequestEncoder encoder)
    {
        return request(encoder, TIMEOUT_MS);
    }

    /**
     * Send a controller command (given its correlation id, true once sent) and wait for its result.
     */
    ControllerResult command(final java.util.function.LongPredicate sender)
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> sender.test(correlationId), "send command");
        awaitUntil(() -> results.containsKey(correlationId), "command result " + correlationId);
        return results.remove(correlationId);
    }

    /**
     * Send raw bytes as a whole controller command and wait for the answer of a command that could not be read.
     */
    ControllerResult rawCommand(final DirectBuffer raw, final int offset, final int length)
    {
        final int before = unknownCorrelationResults;
        awaitUntil(() -> client.offer(raw, offset, length), "offer raw command");
        awaitUntil(() -> unknownCorrelationResults > before, "answer to raw command");
        return lastUnknownCorrelationResult;
    }

    /**
     * Send a group request as another client session on this connection would.
     */
    <T> T requestAs(final long clientSessionId, final RequestEncoder encoder)
    {
        return request((b, c) ->
        {
            final int length = encoder.encode(b, c);
            b.putLong(io.aerolog.codecs.wire.MessageHeaderEncoder.ENCODED_LENGTH + Long.BYTES, clientSessionId,
                java.nio.ByteOrder.LITTLE_ENDIAN);
            return length;
        });
    }

    /**
     * Send raw bytes as a group request and wait for the answer.
     */
    Object requestRaw(final DirectBuffer raw, final int offset, final int length)
    {
        final long brokerCorrelationId = BROKER_CORRELATION_BASE + nextCorrelationId++;
        rawRequests.add(brokerCorrelationId);
        awaitUntil(() -> client.forwardGroupRequest(brokerCorrelationId, raw, offset, length), "forward raw");
        awaitUntil(() -> answers.containsKey(brokerCorrelationId), "raw answer");

        return answers.remove(brokerCorrelationId);
    }

    GroupWire.Heartbeat join(final String groupId, final List<String> topics)
    {
        return heartbeat(groupId, "", "", topics, null, GroupWire.SESSION_TIMEOUT_MS, "");
    }

    GroupWire.Heartbeat heartbeat(
        final String groupId,
        final String memberId,
        final String instanceId,
        final Collection<String> topics,
        final Collection<TopicPartition> owned,
        final int sessionTimeoutMs,
        final String assignor)
    {
        return request((b, c) -> GroupWire.heartbeat(b, c, groupId, memberId, instanceId, topics, owned,
            GroupWire.REBALANCE_TIMEOUT_MS, sessionTimeoutMs, assignor));
    }

    GroupWire.Heartbeat heartbeat(final String groupId, final String memberId, final Collection<TopicPartition> owned)
    {
        return heartbeat(groupId, memberId, "", null, owned, GroupWire.SESSION_TIMEOUT_MS, "");
    }

    GroupWire.Commit commit(
        final String groupId, final String memberId, final int memberEpoch, final Map<TopicPartition, Long> offsets)
    {
        return request((b, c) -> GroupWire.commit(b, c, groupId, memberId, memberEpoch, offsets));
    }

    GroupWire.Fetch fetch(final String groupId, final Collection<TopicPartition> partitions)
    {
        return request((b, c) -> GroupWire.fetch(b, c, groupId, partitions));
    }

    GroupWire.Description describe(final String groupId)
    {
        return request((b, c) -> GroupWire.describe(b, c, groupId));
    }

    int poll()
    {
        return client.poll();
    }

    void awaitUntil(final java.util.concurrent.Callable<Boolean> condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        try
        {
            while (!condition.call())
            {
                poll();
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("timed out waiting for " + what);
                }
                idleStrategy.idle();
            }
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    public void close()
    {
        CloseHelper.close(client);
    }

    @FunctionalInterface
    interface RequestEncoder
    {
        int encode(MutableDirectBuffer buffer, long correlationId);
    }

    private final class Listener implements ControllerListener
    {
        public void onCommandResult(
            final long correlationId, final int code, final int topicId, final long value, final String message)
        {
            final ControllerResult result = new ControllerResult(code, topicId, value, message);
            if (ControllerService.UNKNOWN_CORRELATION_ID == correlationId)
            {
                lastUnknownCorrelationResult = result;
                unknownCorrelationResults++;
            }
            results.put(correlationId, result);
        }

        public void onTopicEvent(final long correlationId, final TopicEventType type, final TopicMetadata topic)
        {
        }

        public void onMetadataEnd(final long correlationId, final int topicCount)
        {
        }

        public void onNewLeader(final long leadershipTermId, final int leaderMemberId)
        {
            newLeaders++;
        }

        public void onGroupResponse(
            final long correlationId, final DirectBuffer buffer, final int offset, final int length)
        {
            final Object answer = GroupWire.decode(buffer, offset, length);
            final long expected = correlationId - BROKER_CORRELATION_BASE;
            final long echoed = correlationIdOf(answer);
            if (!rawRequests.contains(correlationId))
            {
                assertThat(echoed).as("echoed correlation id").isEqualTo(expected);
            }
            answers.put(correlationId, answer);
        }
    }

    static long correlationIdOf(final Object answer)
    {
        return ((GroupWire.Answer)answer).correlationId();
    }

    static int codeOf(final Object answer)
    {
        return ((GroupWire.Answer)answer).code();
    }
}
