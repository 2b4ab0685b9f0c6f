package io.aerolog.node;

import io.aeron.security.CredentialsSupplier;

/**
 * Presents the node secret when an internal client (a broker, the consensus module, the service container, an
 * archive replicating) connects to an archive or the controller cluster. Answers no challenge:
 * {@link SecretAuthenticator} never sends one.
 */
public final class SecretCredentialsSupplier implements CredentialsSupplier
{
    private static final byte[] NO_ANSWER = new byte[0];

    private final NodeSecret secret;

    /**
     * @param secret to present.
     */
    public SecretCredentialsSupplier(final NodeSecret secret)
    {
        this.secret = secret;
    }

    @Override
    public byte[] encodedCredentials()
    {
        return secret.bytes();
    }

    @Override
    public byte[] onChallenge(final byte[] encodedChallenge)
    {
        return NO_ANSWER;
    }
}
