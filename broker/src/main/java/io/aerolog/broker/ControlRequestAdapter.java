package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.cluster.security.AclBinding;
import io.aerolog.cluster.security.AclOperation;
import io.aerolog.cluster.security.AclResourceType;
import io.aerolog.cluster.security.Authorizer;
import io.aerolog.codecs.wire.AddAclDecoder;
import io.aerolog.codecs.wire.DeleteUserDecoder;
import io.aerolog.codecs.wire.ListAclsDecoder;
import io.aerolog.codecs.wire.ListBrokersDecoder;
import io.aerolog.codecs.wire.ListUsersDecoder;
import io.aerolog.codecs.wire.RemoveAclDecoder;
import io.aerolog.codecs.wire.UpsertUserDecoder;
import io.aerolog.codecs.wire.ConnectDecoder;
import io.aerolog.codecs.wire.CreateTopicDecoder;
import io.aerolog.codecs.wire.DeleteTopicDecoder;
import io.aerolog.codecs.wire.DescribeTopicDecoder;
import io.aerolog.codecs.wire.DisconnectDecoder;
import io.aerolog.codecs.wire.ElectLeadersDecoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.FetchStartDecoder;
import io.aerolog.codecs.wire.FetchStopDecoder;
import io.aerolog.codecs.wire.HeartbeatDecoder;
import io.aerolog.codecs.wire.InitProducerIdDecoder;
import io.aerolog.codecs.wire.ListOffsetsDecoder;
import io.aerolog.codecs.wire.ListTopicsDecoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.transport.BoundedFragmentAssembler;
import io.aerolog.transport.FrameValidator;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Reads client control requests from the broker's ingress: reassembles them with a bound, walks every frame with
 * the {@link FrameValidator} before a decoder touches it, finds the sender's session (only the image that opened a
 * session may act in it), checks that the session's principal may make it ({@link AccessControl}: ACLs as Kafka
 * applies them) and hands each request to the piece that serves it. A request that fails, even with an
 * {@code Error}, is answered and counted; the next one is served. Conductor thread.
 */
final class ControlRequestAdapter implements FragmentHandler
{
    /** Longest control request: a group request as large as the controller takes, with room for its header. */
    static final int MAX_CONTROL_MESSAGE_LENGTH = 64 * 1024 + 1024;
    private static final int FRAGMENT_LIMIT = 16;

    private final Subscription[] ingress;
    private final ClientSessions sessions;
    private final TopicAdmin admin;
    private final FetchService fetch;
    private final GroupRequestForwarder groups;
    private final Answers answers;
    private final PathCounters counters;
    private final ErrorHandler errorHandler;
    private final BoundedFragmentAssembler assembler;
    private final FrameValidator validator = FrameValidator.wire();
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectDecoder connectDecoder = new ConnectDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final DisconnectDecoder disconnectDecoder = new DisconnectDecoder();
    private final CreateTopicDecoder createTopicDecoder = new CreateTopicDecoder();
    private final DeleteTopicDecoder deleteTopicDecoder = new DeleteTopicDecoder();
    private final ListTopicsDecoder listTopicsDecoder = new ListTopicsDecoder();
    private final DescribeTopicDecoder describeTopicDecoder = new DescribeTopicDecoder();
    private final InitProducerIdDecoder initProducerIdDecoder = new InitProducerIdDecoder();
    private final FetchStartDecoder fetchStartDecoder = new FetchStartDecoder();
    private final FetchStopDecoder fetchStopDecoder = new FetchStopDecoder();
    private final ListOffsetsDecoder listOffsetsDecoder = new ListOffsetsDecoder();
    private final UpsertUserDecoder upsertUserDecoder = new UpsertUserDecoder();
    private final DeleteUserDecoder deleteUserDecoder = new DeleteUserDecoder();
    private final ListUsersDecoder listUsersDecoder = new ListUsersDecoder();
    private final AddAclDecoder addAclDecoder = new AddAclDecoder();
    private final RemoveAclDecoder removeAclDecoder = new RemoveAclDecoder();
    private final ListAclsDecoder listAclsDecoder = new ListAclsDecoder();
    private final ListBrokersDecoder listBrokersDecoder = new ListBrokersDecoder();
    private final ElectLeadersDecoder electLeadersDecoder = new ElectLeadersDecoder();
    private final BrokerListing brokerListing;
    private final AccessControl access;
    private final GroupAccess groupAccess;
    private final SecurityAdmin securityAdmin;
    private final TopicRegistry topics;
    private int pollingIngress;
    private long nowMs;

    ControlRequestAdapter(
        final Subscription[] ingress,
        final ClientSessions sessions,
        final TopicAdmin admin,
        final FetchService fetch,
        final GroupRequestForwarder groups,
        final Answers answers,
        final ErrorHandler errorHandler,
        final AccessControl access,
        final SecurityAdmin securityAdmin,
        final TopicRegistry topics,
        final BrokerListing brokerListing)
    {
        this.brokerListing = brokerListing;
        this.access = access;
        this.securityAdmin = securityAdmin;
        this.topics = topics;
        this.groupAccess = new GroupAccess(access, answers);
        this.ingress = ingress;
        this.sessions = sessions;
        this.admin = admin;
        this.fetch = fetch;
        this.groups = groups;
        this.answers = answers;
        this.counters = answers.counters();
        this.errorHandler = errorHandler;
        this.assembler = new BoundedFragmentAssembler(
            this, MAX_CONTROL_MESSAGE_LENGTH, (imageSessionId) -> counters.rejectedFrames.increment());
    }

    /**
     * @param nowMs now.
     * @return fragments read.
     */
    int poll(final long nowMs)
    {
        this.nowMs = nowMs;
        int work = 0;
        for (int i = 0; i < ingress.length; i++)
        {
            pollingIngress = i;
            work += ingress[i].poll(assembler, FRAGMENT_LIMIT);
        }
        return work;
    }

    /** Frees what a departed image left half reassembled. Conductor thread. */
    void onImageGone(final int imageSessionId)
    {
        assembler.freeSessionBuffer(imageSessionId);
    }

    /** {@inheritDoc} */
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int imageSessionId = header.sessionId();
        final ClientSession imageSession = sessions.byControlImage(
            ClientSessions.imageKey(pollingIngress, imageSessionId));
        frame.wrap(buffer, offset, length);
        // Every length in the frame is checked against the frame before any decoder reads or allocates.
        final String problem = validator.check(frame, 0, length);
        if (null != problem)
        {
            counters.rejectedFrames.increment();
            answers.error(imageSession, correlationIdOf(length), errorCodeFor(problem), problem);
            return;
        }
        headerDecoder.wrap(frame, 0);
        try
        {
            dispatch(imageSessionId, imageSession, length);
        }
        catch (final IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException |
            NegativeArraySizeException ex)
        {
            counters.rejectedFrames.increment();
            answers.error(imageSession, -1, ErrorCode.CORRUPT_MESSAGE, "malformed request: " + ex.getMessage());
        }
        catch (final Throwable ex) // one request's failure, even an Error, must not end the path serving everyone
        {
            errorHandler.onError(ex);
            answers.error(imageSession, -1, ErrorCode.INTERNAL_ERROR, ex.toString());
        }
    }

    // Requests carry their correlation id first (heartbeats and goodbyes carry none): a refused request whose id
    // is readable is answered with it, so its sender fails at once instead of timing out.
    private long correlationIdOf(final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + Long.BYTES)
        {
            return -1;
        }
        headerDecoder.wrap(frame, 0);
        final int templateId = headerDecoder.templateId();
        return HeartbeatDecoder.TEMPLATE_ID == templateId || DisconnectDecoder.TEMPLATE_ID == templateId ? -1 :
            frame.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
    }

    private static ErrorCode errorCodeFor(final String frameProblem)
    {
        if (FrameValidator.UNSUPPORTED_VERSION.equals(frameProblem))
        {
            return ErrorCode.UNSUPPORTED_VERSION;
        }
        return FrameValidator.UNKNOWN_TEMPLATE.equals(frameProblem) ? ErrorCode.INVALID_REQUEST :
            ErrorCode.CORRUPT_MESSAGE;
    }

    private void dispatch(final int imageSessionId, final ClientSession imageSession, final int length)
    {
        switch (headerDecoder.templateId())
        {
            case ConnectDecoder.TEMPLATE_ID:
                sessions.onConnect(pollingIngress, imageSessionId,
                    connectDecoder.wrapAndApplyHeader(frame, 0, headerDecoder), nowMs);
                break;
            case HeartbeatDecoder.TEMPLATE_ID:
            {
                final long id = heartbeatDecoder.wrapAndApplyHeader(frame, 0, headerDecoder).clientSessionId();
                if (null != imageSession && imageSession.id() == id)
                {
                    imageSession.seen(nowMs);
                }
                break;
            }
            case DisconnectDecoder.TEMPLATE_ID:
            {
                // Only the image that opened a session may close it: a guessed id from elsewhere does nothing.
                final long id = disconnectDecoder.wrapAndApplyHeader(frame, 0, headerDecoder).clientSessionId();
                if (null != imageSession && imageSession.id() == id)
                {
                    sessions.close(imageSession);
                }
                break;
            }
            case CreateTopicDecoder.TEMPLATE_ID:
            {
                final CreateTopicDecoder d = createTopicDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    final long correlationId = d.correlationId();
                    final String name = d.topicName();
                    // As Kafka: CREATE on the cluster, or on the topic itself.
                    if (access.allows(session.principal(), AclOperation.CREATE, AclResourceType.CLUSTER,
                        Authorizer.CLUSTER_NAME) ||
                        access.check(session, correlationId, AclOperation.CREATE, AclResourceType.TOPIC, name, answers))
                    {
                        admin.onCreateTopic(session, createTopicDecoder.wrapAndApplyHeader(frame, 0, headerDecoder),
                            nowMs);
                    }
                }
                break;
            }
            case DeleteTopicDecoder.TEMPLATE_ID:
            {
                final DeleteTopicDecoder d = deleteTopicDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    final String name = d.topicName();
                    if (access.check(session, d.correlationId(), AclOperation.DELETE, AclResourceType.TOPIC, name,
                        answers))
                    {
                        admin.onDeleteTopic(session, d.correlationId(), name, nowMs);
                    }
                }
                break;
            }
            case ListTopicsDecoder.TEMPLATE_ID:
            {
                final ListTopicsDecoder d = listTopicsDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    admin.onListTopics(session, d.correlationId(), (topic) -> access.allows(
                        session.principal(), AclOperation.DESCRIBE, AclResourceType.TOPIC, topic));
                }
                break;
            }
            case DescribeTopicDecoder.TEMPLATE_ID:
            {
                final DescribeTopicDecoder d = describeTopicDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    final String name = d.topicName();
                    if (access.check(session, d.correlationId(), AclOperation.DESCRIBE, AclResourceType.TOPIC, name,
                        answers))
                    {
                        admin.onDescribeTopic(session, d.correlationId(), name);
                    }
                }
                break;
            }
            case InitProducerIdDecoder.TEMPLATE_ID:
            {
                final InitProducerIdDecoder d = initProducerIdDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session && mayWriteSomeTopic(session, d.correlationId()))
                {
                    admin.onInitProducerId(session, d.correlationId(), nowMs);
                }
                break;
            }
            case FetchStartDecoder.TEMPLATE_ID:
            {
                final FetchStartDecoder d = fetchStartDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session && mayOnTopic(session, d.correlationId(), AclOperation.READ, d.topicId()))
                {
                    fetch.onFetchStart(session, d.correlationId(), d.topicId(), d.partition(), d.fetchOffset());
                }
                break;
            }
            case FetchStopDecoder.TEMPLATE_ID:
            {
                final FetchStopDecoder d = fetchStopDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    fetch.stop(session, PartitionLog.key(d.topicId(), d.partition()));
                }
                break;
            }
            case ListOffsetsDecoder.TEMPLATE_ID:
            {
                final ListOffsetsDecoder d = listOffsetsDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session && mayOnTopic(session, d.correlationId(), AclOperation.DESCRIBE, d.topicId()))
                {
                    fetch.onListOffsets(session, d);
                }
                break;
            }
            case UpsertUserDecoder.TEMPLATE_ID:
            {
                final UpsertUserDecoder d = upsertUserDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    securityAdmin.onUpsertUser(session, d.correlationId(), d.userName(), d.password(), nowMs);
                }
                break;
            }
            case DeleteUserDecoder.TEMPLATE_ID:
            {
                final DeleteUserDecoder d = deleteUserDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    securityAdmin.onDeleteUser(session, d.correlationId(), d.userName(), nowMs);
                }
                break;
            }
            case ListUsersDecoder.TEMPLATE_ID:
            {
                final ListUsersDecoder d = listUsersDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    securityAdmin.onListUsers(session, d.correlationId());
                }
                break;
            }
            case AddAclDecoder.TEMPLATE_ID:
            {
                final AddAclDecoder d = addAclDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    securityAdmin.onChangeAcl(session, d.correlationId(), true, d.resourceType(), d.operation(),
                        d.permission(), d.principal(), d.resourceName(), nowMs);
                }
                break;
            }
            case RemoveAclDecoder.TEMPLATE_ID:
            {
                final RemoveAclDecoder d = removeAclDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    securityAdmin.onChangeAcl(session, d.correlationId(), false, d.resourceType(), d.operation(),
                        d.permission(), d.principal(), d.resourceName(), nowMs);
                }
                break;
            }
            case ListAclsDecoder.TEMPLATE_ID:
            {
                final ListAclsDecoder d = listAclsDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    securityAdmin.onListAcls(session, d.correlationId());
                }
                break;
            }
            case ListBrokersDecoder.TEMPLATE_ID:
            {
                // As Kafka's metadata: any session may learn where the brokers are.
                final ListBrokersDecoder d = listBrokersDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    brokerListing.onListBrokers(session, d.correlationId());
                }
                break;
            }
            case ElectLeadersDecoder.TEMPLATE_ID:
            {
                // As Kafka: moving leaderships is ALTER on the cluster.
                final ElectLeadersDecoder d = electLeadersDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session && access.check(session, d.correlationId(), AclOperation.ALTER,
                    AclResourceType.CLUSTER, Authorizer.CLUSTER_NAME, answers))
                {
                    final int partition = d.partition();
                    admin.onElectLeaders(session, d.correlationId(), d.topicName(), partition, nowMs);
                }
                break;
            }
            default:
                if (GroupRequestForwarder.isGroupRequest(headerDecoder.templateId()))
                {
                    onGroupRequest(imageSession, length);
                    break;
                }
                counters.rejectedFrames.increment();
                answers.error(imageSession, -1, ErrorCode.INVALID_REQUEST,
                    "unknown request type " + headerDecoder.templateId());
        }
    }

    private void onGroupRequest(final ClientSession imageSession, final int length)
    {
        final long clientSessionId = GroupRequestForwarder.clientSessionId(frame, length, headerDecoder);
        if (clientSessionId < 0)
        {
            counters.rejectedFrames.increment();
            answers.error(imageSession, -1, ErrorCode.CORRUPT_MESSAGE, "group request too short");
            return;
        }
        final long correlationId = frame.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
        final ClientSession session = session(clientSessionId, correlationId, imageSession);
        if (null != session && groupAccess.check(session, correlationId, frame, headerDecoder))
        {
            headerDecoder.wrap(frame, 0);
            groups.forward(session, correlationId, headerDecoder.templateId(), frame, length, nowMs);
        }
    }

    // As Kafka (KIP-679): an idempotent producer id for a principal that may write some topic.
    private boolean mayWriteSomeTopic(final ClientSession session, final long correlationId)
    {
        for (final TopicRegistry.TopicState topic : topics.all())
        {
            if (access.allows(session.principal(), AclOperation.WRITE, AclResourceType.TOPIC, topic.metadata.name()))
            {
                return true;
            }
        }
        if (topics.all().isEmpty() && access.allows(
            session.principal(), AclOperation.WRITE, AclResourceType.TOPIC, AclBinding.WILDCARD_RESOURCE))
        {
            return true;
        }
        AccessControl.refuse(session, correlationId, AclOperation.WRITE, AclResourceType.TOPIC, "any topic", answers);
        return false;
    }

    // A topic this broker does not know is left to the service, which answers that it is unknown.
    private boolean mayOnTopic(
        final ClientSession session, final long correlationId, final AclOperation operation, final int topicId)
    {
        final TopicRegistry.TopicState topic = topics.byId(topicId);
        final String name = null == topic ? null : topic.metadata.name();
        return null == name || access.check(session, correlationId, operation, AclResourceType.TOPIC, name, answers);
    }

    // The session named must be the one this image opened: a session id alone, guessed or seen, is not enough.
    private ClientSession session(final long clientSessionId, final long correlationId, final ClientSession image)
    {
        final ClientSession session = sessions.byId(clientSessionId);
        if (null == session || session != image)
        {
            answers.error(image, correlationId, ErrorCode.UNKNOWN_SESSION,
                "unknown client session " + clientSessionId);
            return null;
        }
        session.seen(nowMs);
        return session;
    }
}
