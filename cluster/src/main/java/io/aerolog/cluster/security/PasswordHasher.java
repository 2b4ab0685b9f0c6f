package io.aerolog.cluster.security;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Salted password hashes, PBKDF2WithHmacSHA256 as SCRAM-SHA-256 salts its passwords. The client that sets a
 * password hashes it itself, so the password never reaches the controller or its log; the broker hashes what a
 * connecting client presents and compares. Thread-safe.
 * <p>
 * A check costs the iteration count in HMACs (a few milliseconds at {@link #DEFAULT_ITERATIONS}), far more than a
 * duty cycle may take: brokers run it off their conductor thread.
 */
public final class PasswordHasher
{
    /** Iterations used when none are given: SCRAM-SHA-256's minimum. */
    public static final int DEFAULT_ITERATIONS = 4096;
    /** Fewest iterations the controller stores. */
    public static final int MIN_ITERATIONS = 1000;
    /** Most iterations the controller stores: bounds what one connect may cost a broker. */
    public static final int MAX_ITERATIONS = 100_000;
    /** Length of a hash. */
    public static final int HASH_BYTES = 32;
    /** Length of a new salt. */
    public static final int SALT_BYTES = 16;
    /** Shortest salt the controller stores. */
    public static final int MIN_SALT_BYTES = 8;
    /** Longest salt the controller stores. */
    public static final int MAX_SALT_BYTES = 64;
    /** Longest password a client may present, in chars. */
    public static final int MAX_PASSWORD_LENGTH = 1024;

    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHasher()
    {
    }

    /**
     * A new credential for a user: a fresh random salt and the password's hash.
     *
     * @param name       of the user.
     * @param password   the password, not kept.
     * @param iterations PBKDF2 iterations, in {@link #MIN_ITERATIONS}..{@link #MAX_ITERATIONS}.
     * @return the credential to store.
     */
    public static UserCredential newCredential(final String name, final char[] password, final int iterations)
    {
        final byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new UserCredential(name, iterations, salt, hash(password, salt, iterations));
    }

    /**
     * @param password   the password.
     * @param salt       the salt.
     * @param iterations PBKDF2 iterations.
     * @return PBKDF2WithHmacSHA256(password, salt, iterations), {@link #HASH_BYTES} bytes.
     */
    public static byte[] hash(final char[] password, final byte[] salt, final int iterations)
    {
        final PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8);
        try
        {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ALGORITHM + " is not available", ex);
        }
        finally
        {
            spec.clearPassword();
        }
    }

    /**
     * Does the password match the credential? Compared in constant time.
     *
     * @param credential stored.
     * @param password   presented.
     * @return true if the password hashes to the stored hash.
     */
    public static boolean verify(final UserCredential credential, final char[] password)
    {
        if (password.length > MAX_PASSWORD_LENGTH)
        {
            return false;
        }
        return MessageDigest.isEqual(credential.hash(), hash(password, credential.salt(), credential.iterations()));
    }
}
