package io.aerolog.broker;

import io.aerolog.cluster.security.PasswordHasher;
import io.aerolog.cluster.security.Principals;
import io.aerolog.cluster.security.UserCredential;
import io.aerolog.codecs.wire.ConnectDecoder;
import io.aerolog.codecs.wire.ConnectResponseEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.transport.Wire;
import io.aeron.Aeron;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import org.agrona.collections.Long2ObjectHashMap;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The broker's client sessions: opening them from a {@code Connect} (checked by {@link ConnectChannelPolicy}),
 * binding each to the Aeron images it came on, and closing them on goodbye, on timeout or when the client's stream
 * goes. Session ids are unguessable and a session answers only to the image that opened it, so no stranger can act
 * in another client's name. A client that gives a user name and password is that user once the
 * {@link CredentialWorker} has checked the password; one that gives none is {@code User:ANONYMOUS}, refused when
 * authentication is required. Conductor thread only.
 */
final class ClientSessions
{
    /** Connects waiting for their answer channel at once; more are dropped (a client asks again). */
    static final int MAX_PENDING_CONNECTS = 64;
    private static final long CONNECT_RESPONSE_TIMEOUT_MS = 5_000;
    private static final long STREAM_GONE_GRACE_MS = 1_000;

    private final Broker.Context ctx;
    private final Aeron aeron;
    private final Subscription[] controlIngress;
    private final Subscription[] produceIngress;
    private final ProduceAgent produceAgent;
    private final BrokerCounters counters;
    private final Answers answers;
    private final Consumer<ClientSession> onClose;
    private final int maxBatchBytes;
    private final AccessControl access;
    private final CredentialWorker credentials;
    private final SecureRandom sessionIdRandom = new SecureRandom();
    private final ConnectResponseEncoder connectResponseEncoder = new ConnectResponseEncoder();
    private final Long2ObjectHashMap<ClientSession> byId = new Long2ObjectHashMap<>();
    // Keyed by ingress and Aeron image session id (see imageKey).
    private final Long2ObjectHashMap<ClientSession> byControlImage = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<ClientSession> byProduceImage = new Long2ObjectHashMap<>();
    private final List<ClientSession> awaitingConnect = new ArrayList<>();

    ClientSessions(
        final Broker.Context ctx,
        final Aeron aeron,
        final Subscription[] controlIngress,
        final Subscription[] produceIngress,
        final ProduceAgent produceAgent,
        final BrokerCounters counters,
        final Answers answers,
        final Consumer<ClientSession> onClose,
        final int maxBatchBytes,
        final AccessControl access,
        final CredentialWorker credentials)
    {
        this.access = access;
        this.credentials = credentials;
        this.ctx = ctx;
        this.aeron = aeron;
        this.controlIngress = controlIngress;
        this.produceIngress = produceIngress;
        this.produceAgent = produceAgent;
        this.counters = counters;
        this.answers = answers;
        this.onClose = onClose;
        this.maxBatchBytes = maxBatchBytes;
    }

    /**
     * @param ingressIndex   which ingress subscription (0 is IPC).
     * @param imageSessionId Aeron session id of the image.
     * @return the key sessions are bound to.
     */
    static long imageKey(final int ingressIndex, final int imageSessionId)
    {
        return ((long)ingressIndex << 32) | (imageSessionId & 0xFFFF_FFFFL);
    }

    private static int ingressIndex(final long imageKey)
    {
        return (int)(imageKey >>> 32);
    }

    /** @return the session the image opened, or null. */
    ClientSession byControlImage(final long imageKey)
    {
        return byControlImage.get(imageKey);
    }

    /** @return the session with this id, or null. */
    ClientSession byId(final long clientSessionId)
    {
        return byId.get(clientSessionId);
    }

    /** @return every open session. */
    Iterable<ClientSession> all()
    {
        return byId.values();
    }

    /**
     * A client asks to open a session.
     *
     * @param ingressIndex   the ingress it came on (0 is IPC).
     * @param imageSessionId Aeron session id of its control image.
     * @param d              the request.
     * @param nowMs          now.
     */
    void onConnect(final int ingressIndex, final int imageSessionId, final ConnectDecoder d, final long nowMs)
    {
        final long correlationId = d.correlationId();
        final int clientVersion = d.clientVersion();
        final int responseStreamId = d.responseStreamId();
        final int dataStreamId = d.dataStreamId();
        final int produceSessionId = d.produceSessionId();
        final String responseChannel = d.responseChannel();
        final String dataChannel = d.dataChannel();
        final String clientName = d.clientName();
        final String userName = d.userName();
        final String password = d.password();
        final Image image = controlIngress[ingressIndex].imageBySessionId(imageSessionId);
        final String sourceIdentity = null == image ? null : image.sourceIdentity();
        final ConnectChannelPolicy.Verdict verdict = ConnectChannelPolicy.check(0 == ingressIndex, sourceIdentity,
            imageSessionId, responseChannel, responseStreamId, dataChannel, dataStreamId);
        if (!verdict.isAccepted() || clientName.length() > Wire.MAX_NAME_LENGTH ||
            userName.length() > Wire.MAX_NAME_LENGTH || password.length() > PasswordHasher.MAX_PASSWORD_LENGTH)
        {
            counters.control.rejectedFrames.increment();
            return; // nowhere safe to answer
        }
        final long imageKey = imageKey(ingressIndex, imageSessionId);
        // A client that asks again before its answer came replaces its earlier attempt.
        for (final Iterator<ClientSession> it = awaitingConnect.iterator(); it.hasNext(); )
        {
            final ClientSession pending = it.next();
            if (pending.controlImageKey() == imageKey)
            {
                it.remove();
                pending.close();
            }
        }
        if (awaitingConnect.size() >= MAX_PENDING_CONNECTS)
        {
            counters.control.rejectedFrames.increment();
            return;
        }
        final Publication publication = aeron.addPublication(verdict.responseChannel, responseStreamId);
        final ClientSession session = new ClientSession(newSessionId(), clientName, publication,
            verdict.dataChannel, dataStreamId, produceSessionId, nowMs);
        session.pendingConnect(correlationId, clientVersion, imageSessionId, imageKey, sourceIdentity,
            nowMs + CONNECT_RESPONSE_TIMEOUT_MS);
        awaitingConnect.add(session);
        authenticate(session, userName, password);
        completeConnects(nowMs);
    }

    private void authenticate(final ClientSession session, final String userName, final String password)
    {
        if (userName.isEmpty())
        {
            session.authState(access.authenticationRequired() ? ClientSession.AUTH_MISSING : ClientSession.AUTH_NONE);
            return;
        }
        final UserCredential credential = access.user(userName);
        session.authState(ClientSession.AUTH_PENDING);
        final boolean queued = credentials.verify(credential, password, (accepted) ->
        {
            if (ClientSession.AUTH_PENDING == session.authState())
            {
                session.authState(accepted ? ClientSession.AUTH_ACCEPTED : ClientSession.AUTH_REFUSED);
                if (accepted)
                {
                    session.principal(Principals.ofUser(userName));
                }
            }
        });
        if (!queued)
        {
            session.authState(ClientSession.AUTH_BUSY);
        }
    }

    // Unguessable, so no stranger can name another client's session; positive and never 0 ("no session").
    private long newSessionId()
    {
        long id;
        do
        {
            id = sessionIdRandom.nextLong() & Long.MAX_VALUE;
        }
        while (0 == id || byId.containsKey(id));
        return id;
    }

    /**
     * Answers the connects whose response channel is ready; drops those that never got one.
     *
     * @param nowMs now.
     * @return work done.
     */
    int completeConnects(final long nowMs)
    {
        int work = 0;
        for (final Iterator<ClientSession> it = awaitingConnect.iterator(); it.hasNext(); )
        {
            final ClientSession session = it.next();
            // A new publication may be connected before the driver has given it a limit, and an answer offered
            // then is back-pressured and lost: wait for room as well.
            if (ClientSession.AUTH_PENDING != session.authState() && session.responsePublication().isConnected() &&
                session.responsePublication().availableWindow() > 0)
            {
                it.remove();
                final ErrorCode code = verdict(session);
                if (ErrorCode.NONE == code)
                {
                    final ClientSession previous = byControlImage.get(session.controlImageKey());
                    if (null != previous)
                    {
                        close(previous); // the same client re-opening its session
                    }
                    byId.put(session.id(), session);
                    byControlImage.put(session.controlImageKey(), session);
                    byProduceImage.put(session.produceImageKey(), session);
                    produceAgent.addSession(session);
                    counters.clientSessions.increment();
                }
                else
                {
                    answers.countError();
                }
                connectResponseEncoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
                    .correlationId(session.connectCorrelationId())
                    .clientSessionId(ErrorCode.NONE == code ? session.id() : 0)
                    .code(code)
                    .maxBatchBytes(maxBatchBytes)
                    .sessionTimeoutMs(ctx.sessionTimeoutMs())
                    .brokerId(ctx.brokerId())
                    .message(message(session, code));
                answers.send(session, connectResponseEncoder.encodedLength());
                if (ErrorCode.NONE != code)
                {
                    session.close();
                }
                work++;
            }
            else if (nowMs > session.connectDeadlineMs())
            {
                it.remove();
                session.close();
                work++;
            }
        }
        return work;
    }

    private ErrorCode verdict(final ClientSession session)
    {
        if (ClientSession.AUTH_REFUSED == session.authState() || ClientSession.AUTH_MISSING == session.authState())
        {
            counters.control.authorizationFailures.increment();
            return ErrorCode.AUTHORIZATION_FAILED;
        }
        if (ClientSession.AUTH_BUSY == session.authState())
        {
            return ErrorCode.NOT_READY;
        }
        if (session.connectClientVersion() != Wire.CLIENT_VERSION)
        {
            return ErrorCode.UNSUPPORTED_VERSION;
        }
        final ClientSession previous = byControlImage.get(session.controlImageKey());
        if (null == previous && byId.size() >= ctx.maxClientSessions())
        {
            return ErrorCode.LIMIT_REACHED;
        }
        // The produce stream must be the client's own: from the same sender, and no other session's.
        final int ingressIndex = ingressIndex(session.controlImageKey());
        final Image produceImage = produceIngress[ingressIndex].imageBySessionId(session.produceSessionId());
        session.produceImageKey(imageKey(ingressIndex, session.produceSessionId()));
        final ClientSession owner = byProduceImage.get(session.produceImageKey());
        if (null == produceImage || !produceImage.sourceIdentity().equals(session.sourceIdentity()) ||
            (null != owner && owner != previous))
        {
            return ErrorCode.INVALID_REQUEST;
        }
        return ErrorCode.NONE;
    }

    private String message(final ClientSession session, final ErrorCode code)
    {
        switch (code)
        {
            case NONE:
                return "";
            case UNSUPPORTED_VERSION:
                return "client protocol version " + session.connectClientVersion() + " is not supported; this " +
                    "broker speaks " + Wire.CLIENT_VERSION;
            case LIMIT_REACHED:
                return "this broker has its maximum of " + ctx.maxClientSessions() + " client sessions";
            case AUTHORIZATION_FAILED:
                return ClientSession.AUTH_MISSING == session.authState() ?
                    "authentication failed: this broker requires a user name and password" :
                    "authentication failed: unknown user or wrong password";
            case NOT_READY:
                return "too many connects are being authenticated; retry";
            default:
                return "the produce stream named is not this client's own";
        }
    }

    /**
     * Closes the sessions whose client went away (its stream dropped) or fell silent past the timeout.
     *
     * @param nowMs now.
     * @return work done.
     */
    int expire(final long nowMs)
    {
        int work = 0;
        for (final ClientSession session : new ArrayList<>(byId.values()))
        {
            // A client whose stream Aeron has dropped is gone (closed, or its process died); one that is merely
            // quiet keeps its session until the idle timeout, and re-opens it by itself after that.
            final boolean streamGone = null == controlIngress[ingressIndex(session.controlImageKey())]
                .imageBySessionId(session.controlImageSessionId());
            final long silentMs = nowMs - session.lastSeenMs();
            if ((streamGone && silentMs > STREAM_GONE_GRACE_MS) || silentMs > ctx.sessionTimeoutMs())
            {
                close(session);
                work++;
            }
        }
        return work;
    }

    void close(final ClientSession session)
    {
        byId.remove(session.id());
        byControlImage.remove(session.controlImageKey(), session);
        byProduceImage.remove(session.produceImageKey(), session);
        produceAgent.removeSession(session);
        onClose.accept(session);
        session.close();
        counters.clientSessions.decrement();
    }

    /** Closes every session's answer channel (shutdown: the archive stops their replays itself). */
    void closeAll()
    {
        for (final ClientSession session : byId.values())
        {
            session.close();
        }
        byId.clear();
        for (final ClientSession session : awaitingConnect)
        {
            session.close();
        }
        awaitingConnect.clear();
    }
}
