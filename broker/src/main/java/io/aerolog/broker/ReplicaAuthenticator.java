package io.aerolog.broker;

import io.aerolog.node.NodeSecret;
import org.agrona.DirectBuffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * HMAC-SHA256 with the node secret over a replica-channel hello, so that only a node of the cluster can bind an
 * image to a broker id. One thread; a hello is signed once per publication and checked once per image, never per
 * message.
 */
final class ReplicaAuthenticator
{
    /** Length of an authenticator. */
    static final int LENGTH = 32;

    private final Mac mac;
    private final byte[] scratch = new byte[1024];
    private final byte[] expected = new byte[LENGTH];

    ReplicaAuthenticator(final NodeSecret secret)
    {
        try
        {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.bytes(), "HmacSHA256"));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 is not available", ex);
        }
    }

    /**
     * @param buffer holding the signed bytes.
     * @param offset of the first signed byte.
     * @param length of the signed bytes, at most 1024.
     * @param out    receives the {@link #LENGTH} bytes of the authenticator.
     */
    void sign(final DirectBuffer buffer, final int offset, final int length, final byte[] out)
    {
        buffer.getBytes(offset, scratch, 0, length);
        mac.update(scratch, 0, length);
        try
        {
            mac.doFinal(out, 0);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @param buffer              holding the signed bytes.
     * @param offset              of the first signed byte.
     * @param length              of the signed bytes.
     * @param authenticatorBuffer holding the authenticator presented.
     * @param authenticatorOffset of the authenticator.
     * @param authenticatorLength of the authenticator.
     * @return true when the authenticator is the node secret's over those bytes (constant-time comparison).
     */
    boolean verify(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final DirectBuffer authenticatorBuffer,
        final int authenticatorOffset,
        final int authenticatorLength)
    {
        if (LENGTH != authenticatorLength || length > scratch.length || length < 0)
        {
            return false;
        }
        sign(buffer, offset, length, expected);
        final byte[] presented = new byte[LENGTH]; // once per new image: not the steady state
        authenticatorBuffer.getBytes(authenticatorOffset, presented);
        return MessageDigest.isEqual(expected, presented);
    }
}
