package io.aerolog.node;

import io.aeron.security.Authenticator;
import io.aeron.security.AuthenticatorSupplier;
import io.aeron.security.SessionProxy;
import org.agrona.collections.LongHashSet;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Admits an Aeron Archive control session or an Aeron Cluster ingress session only when its credentials equal the
 * node secret (compared in constant time); every other session, and any challenge response, is rejected.
 * <p>
 * Only sessions that presented the secret are remembered until they are admitted, so a stranger's connect requests
 * leave nothing behind. Runs on the archive's or the consensus module's conductor thread, the single writer of its
 * counts.
 */
public final class SecretAuthenticator implements Authenticator
{
    private static final byte[] NO_PRINCIPAL = new byte[0];

    private final NodeSecret secret;
    private final LongHashSet accepted = new LongHashSet();
    private final AtomicLong admittedSessions = new AtomicLong();
    private final AtomicLong rejectedSessions = new AtomicLong();

    /**
     * @param secret sessions must present.
     */
    public SecretAuthenticator(final NodeSecret secret)
    {
        this.secret = secret;
    }

    /**
     * A supplier for {@code Archive.Context#authenticatorSupplier} and
     * {@code ConsensusModule.Context#authenticatorSupplier}, which hands out this one instance (so its counts can be
     * read).
     *
     * @return the supplier.
     */
    public AuthenticatorSupplier supplier()
    {
        return () -> this;
    }

    @Override
    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        if (secret.matches(encodedCredentials))
        {
            accepted.add(sessionId);
        }
    }

    @Override
    public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        accepted.remove(sessionId); // never challenged: a response is not ours
    }

    @Override
    public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        if (accepted.remove(sessionProxy.sessionId()))
        {
            if (sessionProxy.authenticate(NO_PRINCIPAL))
            {
                admittedSessions.lazySet(admittedSessions.get() + 1);
            }
            else
            {
                accepted.add(sessionProxy.sessionId()); // not sent yet: asked again on a later duty cycle
            }
        }
        else
        {
            reject(sessionProxy);
        }
    }

    @Override
    public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        accepted.remove(sessionProxy.sessionId());
        reject(sessionProxy);
    }

    /**
     * @return sessions admitted since start.
     */
    public long admittedSessions()
    {
        return admittedSessions.get();
    }

    /**
     * @return sessions refused since start: no, or the wrong, secret.
     */
    public long rejectedSessions()
    {
        return rejectedSessions.get();
    }

    private void reject(final SessionProxy sessionProxy)
    {
        sessionProxy.reject();
        rejectedSessions.lazySet(rejectedSessions.get() + 1);
    }
}
