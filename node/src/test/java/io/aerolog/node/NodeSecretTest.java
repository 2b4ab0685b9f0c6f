package io.aerolog.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeSecretTest
{
    @TempDir
    File dir;

    @Test
    void shouldGenerateAnOwnerOnlySecretFileOnFirstUseAndReuseIt() throws Exception
    {
        final File file = new File(dir, NodeSecret.GENERATED_FILE_NAME);
        assertThat(file).doesNotExist();

        final NodeSecret first = NodeSecret.loadOrGenerate(dir);

        assertThat(file).exists();
        assertThat(Files.getPosixFilePermissions(file.toPath()))
            .isEqualTo(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        // 32 random bytes as hex.
        assertThat(first.bytes()).hasSize(2 * NodeSecret.GENERATED_LENGTH);
        assertThat(new File(dir, NodeSecret.GENERATED_FILE_NAME + ".tmp")).doesNotExist();

        final NodeSecret again = NodeSecret.loadOrGenerate(dir);
        assertThat(again.bytes()).isEqualTo(first.bytes());
        assertThat(again.matches(first.bytes())).isTrue();

        final File other = new File(dir, "other");
        assertThat(other.mkdir()).isTrue();
        assertThat(NodeSecret.loadOrGenerate(other).matches(first.bytes())).as("each node its own").isFalse();
    }

    @Test
    void shouldReadASecretFileWithoutItsTrailingNewline() throws Exception
    {
        final File file = new File(dir, "secret.txt");
        Files.writeString(file.toPath(), "correct horse battery staple\n");

        final NodeSecret secret = NodeSecret.resolve(null, file, dir, false);

        assertThat(secret.matches(NodeSecret.of("correct horse battery staple").bytes())).isTrue();
        assertThat(secret.matches("correct horse battery staple\n".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(new File(dir, NodeSecret.GENERATED_FILE_NAME)).doesNotExist();
    }

    @Test
    void shouldNameAMissingSecretFile()
    {
        final File missing = new File(dir, "no/such/secret");

        assertThatThrownBy(() -> NodeSecret.resolve(null, missing, dir, true))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("cannot read the node secret file " + missing.getAbsolutePath())
            .hasMessageContaining("NoSuchFileException");
    }

    @Test
    void shouldRefuseShortSecretsBothSettingsAndNoSecretOnANodeOfSeveral() throws Exception
    {
        assertThatThrownBy(() -> NodeSecret.of("short"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 16");

        final File empty = new File(dir, "empty");
        Files.writeString(empty.toPath(), "\n");
        assertThatThrownBy(() -> NodeSecret.fromFile(empty))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(empty.getAbsolutePath());

        assertThatThrownBy(() -> NodeSecret.resolve("0123456789abcdef", empty, dir, true))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");

        assertThatThrownBy(() -> NodeSecret.resolve(null, null, dir, false))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster.secret");
        assertThat(new File(dir, NodeSecret.GENERATED_FILE_NAME)).doesNotExist();
    }

    @Test
    void shouldNeverShowTheSecretInItsText()
    {
        final NodeSecret secret = NodeSecret.of("a-secret-nobody-may-see");

        assertThat(secret.toString()).doesNotContain("a-secret-nobody-may-see").contains("cluster.secret");
    }
}
