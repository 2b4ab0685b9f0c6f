package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.FetchStartResponseEncoder;
import io.aerolog.codecs.wire.FetchStoppedEncoder;
import io.aerolog.codecs.wire.ListOffsetsDecoder;
import io.aerolog.codecs.wire.ListOffsetsResponseEncoder;
import io.aerolog.codecs.wire.OffsetSpec;
import io.aerolog.sequencer.OffsetIndex;

/**
 * Streams partitions to consumers and answers offset lookups: a fetch start becomes an archive replay from the
 * index position of the requested offset, bounded by the high watermark and following the live end; a lookup by
 * timestamp scans the log. Both run on the {@link LogWorker}, and their answers go out when it is done, so neither
 * holds up other clients' requests. Conductor thread.
 */
final class FetchService
{
    private final TopicRegistry topics;
    private final LogWorker worker;
    private final Answers answers;
    private final ClusterView cluster;
    private final OffsetIndex.Entry indexEntry = new OffsetIndex.Entry();
    private final FetchStartResponseEncoder fetchStartResponseEncoder = new FetchStartResponseEncoder();
    private final ListOffsetsResponseEncoder listOffsetsResponseEncoder = new ListOffsetsResponseEncoder();
    private final FetchStoppedEncoder fetchStoppedEncoder = new FetchStoppedEncoder();

    FetchService(final TopicRegistry topics, final LogWorker worker, final Answers answers, final ClusterView cluster)
    {
        this.cluster = cluster;
        this.topics = topics;
        this.worker = worker;
        this.answers = answers;
    }

    void onFetchStart(
        final ClientSession session,
        final long correlationId,
        final int topicId,
        final int partition,
        final long requestedOffset)
    {
        final ErrorCode notLeading = notLeading(topicId, partition);
        if (null != notLeading)
        {
            answerFetchStart(session, correlationId, topicId, partition, notLeading, requestedOffset, -1, -1, 0,
                notLeadingMessage(topicId, partition));
            return;
        }
        final PartitionLog log = topics.log(topicId, partition);
        if (null == log)
        {
            answerFetchStart(session, correlationId, topicId, partition, noLogCode(topicId, partition),
                requestedOffset, -1, -1, 0, noLogMessage(topicId, partition));
            return;
        }
        final long logStart = log.logStartOffset();
        final long highWatermark = log.highWatermark();
        final long offset = -2 == requestedOffset ? logStart : -1 == requestedOffset ? highWatermark : requestedOffset;
        if (offset < logStart || offset > highWatermark)
        {
            answerFetchStart(session, correlationId, topicId, partition, ErrorCode.OFFSET_OUT_OF_RANGE, offset,
                logStart, highWatermark, 0, "offset " + offset + " is out of range for " + log);
            return;
        }
        final long highWatermarkPosition = log.highWatermarkPosition();
        final long position = log.index().floorByOffset(offset, indexEntry) ?
            Math.min(indexEntry.position(), highWatermarkPosition) : highWatermarkPosition;
        final long key = PartitionLog.key(topicId, partition);
        stop(session, key);
        final boolean submitted = worker.startReplay(log.recordingId(), position,
            log.highWatermarkPositionCounterId(), session.dataChannel(), session.dataStreamId(),
            (replaySessionId, error) ->
            {
                if (null != error || session.isClosed())
                {
                    if (null == error)
                    {
                        worker.stopReplay(replaySessionId); // its consumer left meanwhile
                        return;
                    }
                    answerFetchStart(session, correlationId, topicId, partition, ErrorCode.INTERNAL_ERROR, offset,
                        logStart, highWatermark, 0, "could not start streaming " + log + ": " + error.getMessage());
                    return;
                }
                // Starts complete in request order: a later start for the partition replaces an earlier one.
                final long previous = session.replayByPartition().put(key, replaySessionId);
                if (-1 != previous && previous != replaySessionId)
                {
                    worker.stopReplay(previous);
                }
                answerFetchStart(session, correlationId, topicId, partition, ErrorCode.NONE, offset, logStart,
                    highWatermark, (int)replaySessionId, "");
            });
        if (!submitted)
        {
            answerFetchStart(session, correlationId, topicId, partition, ErrorCode.LIMIT_REACHED, offset, logStart,
                highWatermark, 0, "the broker is busy; retry");
        }
    }

    private void answerFetchStart(
        final ClientSession session,
        final long correlationId,
        final int topicId,
        final int partition,
        final ErrorCode code,
        final long fetchOffset,
        final long logStart,
        final long logEnd,
        final int streamSessionId,
        final String message)
    {
        if (ErrorCode.NONE != code)
        {
            answers.countError();
        }
        fetchStartResponseEncoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
            .correlationId(correlationId).topicId(topicId).partition(partition).streamSessionId(streamSessionId)
            .code(code).fetchOffset(fetchOffset).logStartOffset(logStart).logEndOffset(logEnd).message(message);
        answers.send(session, fetchStartResponseEncoder.encodedLength());
    }

    /** Stops a session's stream of one partition, if it has one. */
    void stop(final ClientSession session, final long partitionKey)
    {
        final long replaySessionId = session.replayByPartition().remove(partitionKey);
        if (-1 != replaySessionId)
        {
            worker.stopReplay(replaySessionId);
        }
    }

    /** Stops every stream of a session that closed. */
    void onSessionClosed(final ClientSession session)
    {
        session.replayByPartition().forEach((partitionKey, replaySessionId) -> worker.stopReplay(replaySessionId));
        session.replayByPartition().clear();
    }

    /**
     * Ends every consumer stream of a partition and tells each consumer, so it fetches again from its position (and
     * meets "offset out of range" and its reset policy when retention overtook it).
     */
    void stopAll(final PartitionLog log, final Iterable<ClientSession> sessions)
    {
        stopAll(log, sessions, ErrorCode.OFFSET_OUT_OF_RANGE);
    }

    /**
     * Ends every consumer stream of a partition and tells each consumer why, so it fetches again from its position
     * (from the new leader when the code is {@code NOT_LEADER_OR_FOLLOWER}).
     */
    void stopAll(final PartitionLog log, final Iterable<ClientSession> sessions, final ErrorCode code)
    {
        final long partitionKey = PartitionLog.key(log.topicId(), log.partition());
        for (final ClientSession session : sessions)
        {
            final long replaySessionId = session.replayByPartition().remove(partitionKey);
            if (-1 != replaySessionId)
            {
                worker.stopReplay(replaySessionId);
                fetchStoppedEncoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
                    .correlationId(-1)
                    .topicId(log.topicId())
                    .partition(log.partition())
                    .streamSessionId((int)replaySessionId)
                    .code(code)
                    .logStartOffset(log.logStartOffset());
                answers.send(session, fetchStoppedEncoder.encodedLength());
            }
        }
    }

    /**
     * Ends the streams their sessions may no longer read (an ACL changed) and tells each consumer so, with
     * {@code AUTHORIZATION_FAILED}: a stream, once started, is otherwise not checked again.
     *
     * @param sessions every open session.
     * @param mayRead  whether a session may still read a topic, by id.
     */
    void stopUnauthorized(
        final Iterable<ClientSession> sessions, final java.util.function.BiPredicate<ClientSession, Integer> mayRead)
    {
        final org.agrona.collections.LongArrayList revoked = new org.agrona.collections.LongArrayList();
        for (final ClientSession session : sessions)
        {
            revoked.clear();
            session.replayByPartition().forEach((partitionKey, replaySessionId) ->
            {
                if (!mayRead.test(session, (int)(partitionKey >>> 32)))
                {
                    revoked.addLong(partitionKey);
                }
            });
            for (int i = 0; i < revoked.size(); i++)
            {
                final long partitionKey = revoked.getLong(i);
                final long replaySessionId = session.replayByPartition().remove(partitionKey);
                worker.stopReplay(replaySessionId);
                answers.counters().authorizationFailures.increment();
                fetchStoppedEncoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
                    .correlationId(-1)
                    .topicId((int)(partitionKey >>> 32))
                    .partition((int)partitionKey)
                    .streamSessionId((int)replaySessionId)
                    .code(ErrorCode.AUTHORIZATION_FAILED)
                    .logStartOffset(-1);
                answers.send(session, fetchStoppedEncoder.encodedLength());
            }
        }
    }

    void onListOffsets(final ClientSession session, final ListOffsetsDecoder d)
    {
        final long correlationId = d.correlationId();
        final int topicId = d.topicId();
        final int partition = d.partition();
        final OffsetSpec spec = d.spec();
        final long timestamp = d.timestamp();
        final PartitionLog log = topics.log(topicId, partition);
        final ErrorCode notLeading = notLeading(topicId, partition);
        if (null != notLeading)
        {
            answerListOffsets(session, correlationId, topicId, partition, notLeading, -1, -1,
                notLeadingMessage(topicId, partition));
        }
        else if (null == log)
        {
            answerListOffsets(session, correlationId, topicId, partition, noLogCode(topicId, partition), -1, -1,
                noLogMessage(topicId, partition));
        }
        else if (OffsetSpec.EARLIEST == spec)
        {
            answerListOffsets(session, correlationId, topicId, partition, ErrorCode.NONE, log.logStartOffset(), -1, "");
        }
        else if (OffsetSpec.LATEST == spec)
        {
            answerListOffsets(session, correlationId, topicId, partition, ErrorCode.NONE, log.highWatermark(), -1, "");
        }
        else if (OffsetSpec.TIMESTAMP == spec)
        {
            if (!worker.findOffsetForTimestamp(log, timestamp, (offset, foundTimestamp) -> answerListOffsets(
                session, correlationId, topicId, partition, ErrorCode.NONE, offset, foundTimestamp, "")))
            {
                answerListOffsets(session, correlationId, topicId, partition, ErrorCode.LIMIT_REACHED, -1, -1,
                    "the broker is busy; retry");
            }
        }
        else
        {
            answerListOffsets(session, correlationId, topicId, partition, ErrorCode.INVALID_REQUEST, -1, -1,
                "unknown offset spec");
        }
    }

    /**
     * Whether another broker (or none) leads a partition, as the controller told: a partition it has not told of
     * yet is served from the local log, as a single broker always is.
     *
     * @return NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, or null when this broker may serve it.
     */
    private ErrorCode notLeading(final int topicId, final int partition)
    {
        final ClusterView.PartitionView view = cluster.partition(topicId, partition);
        if (null == view || view.isLedBy(cluster.localBrokerId()))
        {
            return null;
        }
        return io.aerolog.sequencer.PartitionElection.NO_LEADER == view.state().leader() ?
            ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NOT_LEADER_OR_FOLLOWER;
    }

    // A partition the controller says this broker leads but whose log is still opening (just elected, or just
    // created) is there in a moment: retriable, not unknown.
    private ErrorCode noLogCode(final int topicId, final int partition)
    {
        return null == cluster.partition(topicId, partition) ?
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.LEADER_NOT_AVAILABLE;
    }

    private String noLogMessage(final int topicId, final int partition)
    {
        return null == cluster.partition(topicId, partition) ?
            "unknown topic id " + topicId + " partition " + partition :
            "broker " + cluster.localBrokerId() + " is opening its log of partition " + partition + " of topic id " +
            topicId + " as its new leader; retry";
    }

    // Control path only (allocates): the leader's id lets a client route without another metadata request.
    private String notLeadingMessage(final int topicId, final int partition)
    {
        final int leader = cluster.leaderOf(topicId, partition);
        return io.aerolog.sequencer.PartitionElection.NO_LEADER == leader ?
            "partition " + partition + " of topic id " + topicId + " has no leader now" :
            "broker " + cluster.localBrokerId() + " does not lead partition " + partition + " of topic id " + topicId +
            "; leader=" + leader;
    }

    private void answerListOffsets(
        final ClientSession session,
        final long correlationId,
        final int topicId,
        final int partition,
        final ErrorCode code,
        final long offset,
        final long timestamp,
        final String message)
    {
        if (ErrorCode.NONE != code)
        {
            answers.countError();
        }
        listOffsetsResponseEncoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
            .correlationId(correlationId).topicId(topicId).partition(partition).code(code).resultOffset(offset)
            .resultTimestamp(timestamp).message(message);
        answers.send(session, listOffsetsResponseEncoder.encodedLength());
    }
}
