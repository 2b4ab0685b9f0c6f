package io.aerolog.node;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The secret every node of one cluster shares: the archive and the controller cluster admit a session only when it
 * presents these bytes, so a stranger on the network (or on the host) cannot use the node's internal channels.
 * <p>
 * It comes from a literal setting, from a file, or, on a single node given neither, from
 * {@value #GENERATED_FILE_NAME} in the data directory: 32 random bytes written as hex on first start (owner read
 * and write only) and read again on every later start. A file's content is the secret with trailing white space cut,
 * so a hand-written file may end in a newline.
 */
public final class NodeSecret
{
    /** Name of the generated secret file in the data directory. */
    public static final String GENERATED_FILE_NAME = "node.secret";

    /** Fewest bytes a secret may have: shorter ones are guessable. */
    public static final int MIN_LENGTH = 16;

    /** Random bytes in a generated secret. */
    public static final int GENERATED_LENGTH = 32;

    private static final Set<PosixFilePermission> OWNER_ONLY =
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final byte[] bytes;
    private final String source;

    private NodeSecret(final byte[] bytes, final String source)
    {
        if (bytes.length < MIN_LENGTH)
        {
            throw new IllegalArgumentException("the node secret from " + source + " has " + bytes.length +
                " bytes; it needs at least " + MIN_LENGTH);
        }
        this.bytes = bytes;
        this.source = source;
    }

    /**
     * The secret from a literal, e.g. the {@code cluster.secret} setting, as UTF-8 bytes.
     *
     * @param literal the secret.
     * @return the secret.
     * @throws IllegalArgumentException when shorter than {@link #MIN_LENGTH} bytes.
     */
    public static NodeSecret of(final String literal)
    {
        return new NodeSecret(literal.getBytes(StandardCharsets.UTF_8), "cluster.secret");
    }

    /**
     * The secret in a file, e.g. the {@code cluster.secret.file} setting.
     *
     * @param file holding the secret.
     * @return the secret.
     * @throws IllegalArgumentException naming the file when it cannot be read or holds too short a secret.
     */
    public static NodeSecret fromFile(final File file)
    {
        final byte[] content;
        try
        {
            content = Files.readAllBytes(file.toPath());
        }
        catch (final IOException | SecurityException ex)
        {
            throw new IllegalArgumentException("cannot read the node secret file " + file.getAbsolutePath() + " (" +
                ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")", ex);
        }
        return new NodeSecret(trimTrailingWhitespace(content), file.getAbsolutePath());
    }

    /**
     * The single node's own secret: {@value #GENERATED_FILE_NAME} in the data directory, created on first use.
     *
     * @param dataDir the node's data directory, which must exist.
     * @return the secret.
     * @throws IllegalArgumentException when the file can be neither read nor created.
     */
    public static NodeSecret loadOrGenerate(final File dataDir)
    {
        final Path path = new File(dataDir, GENERATED_FILE_NAME).toPath();
        if (!Files.exists(path))
        {
            generate(path);
        }
        return fromFile(path.toFile());
    }

    /**
     * The secret for a node's settings: the literal if given, else the file if given, else the single node's own.
     *
     * @param literal    the {@code cluster.secret} setting, or null.
     * @param file       the {@code cluster.secret.file} setting, or null.
     * @param dataDir    the node's data directory.
     * @param singleNode true when the node is alone (no other member needs to know its secret).
     * @return the secret.
     * @throws IllegalArgumentException for both settings at once, a bad file, or a node of several without either.
     */
    public static NodeSecret resolve(final String literal, final File file, final File dataDir,
        final boolean singleNode)
    {
        if (null != literal && null != file)
        {
            throw new IllegalArgumentException("set cluster.secret or cluster.secret.file, not both");
        }
        if (null != literal)
        {
            return of(literal);
        }
        if (null != file)
        {
            return fromFile(file);
        }
        if (!singleNode)
        {
            throw new IllegalArgumentException("a node of a cluster of several needs cluster.secret or " +
                "cluster.secret.file, the same on every node");
        }
        return loadOrGenerate(dataDir);
    }

    /**
     * A copy of the secret's bytes, e.g. for Aeron credentials.
     *
     * @return the secret's bytes.
     */
    public byte[] bytes()
    {
        return bytes.clone();
    }

    /**
     * Does this secret equal those bytes? Constant time in their content, so timing tells a guesser nothing.
     *
     * @param candidate bytes presented, may be null.
     * @return true when equal.
     */
    public boolean matches(final byte[] candidate)
    {
        return null != candidate && java.security.MessageDigest.isEqual(bytes, candidate);
    }

    /**
     * Where the secret came from, for messages (never the secret itself).
     *
     * @return the setting's name or the file's path.
     */
    public String source()
    {
        return source;
    }

    @Override
    public String toString()
    {
        return "NodeSecret{source=" + source + "}";
    }

    private static void generate(final Path path)
    {
        final byte[] random = new byte[GENERATED_LENGTH];
        new SecureRandom().nextBytes(random);
        final byte[] content = (HexFormat.of().formatHex(random) + "\n").getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(random, (byte)0);
        Path tmp = null;
        try
        {
            tmp = createOwnerOnly(path.resolveSibling(GENERATED_FILE_NAME + ".tmp"));
            Files.write(tmp, content);
            // Readers never see a half-written secret.
            try
            {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(tmp, path);
            }
            tmp = null;
        }
        catch (final FileAlreadyExistsException ex)
        {
            // Another process generates it now: use theirs once it is there.
        }
        catch (final IOException | SecurityException ex)
        {
            throw new IllegalArgumentException("cannot create the node secret file " + path.toAbsolutePath() +
                " (" + ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")", ex);
        }
        finally
        {
            Arrays.fill(content, (byte)0);
            if (null != tmp)
            {
                try
                {
                    Files.deleteIfExists(tmp);
                }
                catch (final IOException ignore)
                {
                    // Best effort: the next start overwrites nothing but a stale temporary file.
                }
            }
        }
    }

    private static Path createOwnerOnly(final Path path) throws IOException
    {
        Files.deleteIfExists(path); // a stale one of a start that died mid-way
        try
        {
            return Files.createFile(path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        catch (final UnsupportedOperationException ex)
        {
            // Not a POSIX file system: restrict what it offers.
            final Path created = Files.createFile(path);
            final File file = created.toFile();
            if (!(file.setReadable(false, false) && file.setReadable(true, true) &&
                file.setWritable(false, false) && file.setWritable(true, true)))
            {
                throw new IOException("cannot restrict the permissions of " + path, ex);
            }
            return created;
        }
    }

    private static byte[] trimTrailingWhitespace(final byte[] content)
    {
        int length = content.length;
        while (length > 0 && (content[length - 1] == ' ' || content[length - 1] == '\t' ||
            content[length - 1] == '\n' || content[length - 1] == '\r'))
        {
            length--;
        }
        return length == content.length ? content : Arrays.copyOf(content, length);
    }
}
