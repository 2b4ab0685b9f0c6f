package io.aerolog.cluster.security;

import java.util.Arrays;
import java.util.Objects;

/**
 * A user as the controller stores it: the name and a salted PBKDF2WithHmacSHA256 hash of the password with its
 * iteration count, never the password itself. Immutable: the arrays are copied in and must not be changed through
 * the accessors.
 *
 * @param name       the user's name (the principal is {@code User:name}).
 * @param iterations PBKDF2 iterations the hash was made with.
 * @param salt       random salt.
 * @param hash       PBKDF2WithHmacSHA256(password, salt, iterations), {@link PasswordHasher#HASH_BYTES} bytes.
 */
public record UserCredential(String name, int iterations, byte[] salt, byte[] hash)
{
    /**
     * Copies the arrays.
     */
    public UserCredential
    {
        Objects.requireNonNull(name, "name");
        salt = salt.clone();
        hash = hash.clone();
    }

    /**
     * Checks the credential the way the controller does before storing it.
     *
     * @return null if valid, else why not.
     */
    public String check()
    {
        final String nameProblem = Principals.checkUserName(name);
        if (null != nameProblem)
        {
            return nameProblem;
        }
        if (iterations < PasswordHasher.MIN_ITERATIONS || iterations > PasswordHasher.MAX_ITERATIONS)
        {
            return "iterations must be in " + PasswordHasher.MIN_ITERATIONS + ".." + PasswordHasher.MAX_ITERATIONS;
        }
        if (salt.length < PasswordHasher.MIN_SALT_BYTES || salt.length > PasswordHasher.MAX_SALT_BYTES)
        {
            return "salt must have " + PasswordHasher.MIN_SALT_BYTES + " to " + PasswordHasher.MAX_SALT_BYTES +
                " bytes";
        }
        if (hash.length != PasswordHasher.HASH_BYTES)
        {
            return "hash must have " + PasswordHasher.HASH_BYTES + " bytes";
        }
        return null;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof UserCredential other && name.equals(other.name) && iterations == other.iterations &&
            Arrays.equals(salt, other.salt) && Arrays.equals(hash, other.hash);
    }

    @Override
    public int hashCode()
    {
        return name.hashCode() * 31 + Arrays.hashCode(hash);
    }

    @Override
    public String toString()
    {
        return "User:" + name + " (PBKDF2WithHmacSHA256, " + iterations + " iterations)";
    }
}
