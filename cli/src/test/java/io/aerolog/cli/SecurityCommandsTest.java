package io.aerolog.cli;

import io.aerolog.broker.Broker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code aerolog users} and {@code aerolog acls} against a broker that requires authentication.
 */
class SecurityCommandsTest
{
    @TempDir
    File dir;

    private Broker broker;
    private File adminPassword;
    private File alicePassword;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void startBroker() throws Exception
    {
        adminPassword = new File(dir, "admin.pw");
        Files.writeString(adminPassword.toPath(), "admin-secret\n");
        alicePassword = new File(dir, "alice.pw");
        Files.writeString(alicePassword.toPath(), "alice-pw\n");
        broker = Broker.launch(new Broker.Context()
            .dataDir(new File(dir, "data"))
            .aeronDirectoryName("/dev/shm/aerolog-clitest-" + UUID.randomUUID())
            .portBase(41_000 + 20 * ThreadLocalRandom.current().nextInt(500))
            .logTermLength(64 * 1024)
            .segmentLength(1024 * 1024)
            .printErrors(false)
            .authenticationRequired(true)
            .allowEveryoneIfNoAclFound(false)
            .superUsers("User:admin")
            .initialUser("admin", "admin-secret"));
    }

    @AfterEach
    void stopBroker()
    {
        broker.close();
    }

    @Test
    void addsUsersAndAclsThatGrantExactlyWhatTheyName()
    {
        assertThat(asAdmin("users", "add", "--name", "alice", "--new-password-file", alicePassword.getPath()))
            .as(err.toString()).isZero();
        assertThat(asAdmin("topics", "create", "--topic", "orders", "--partitions", "1")).as(err.toString()).isZero();
        assertThat(asAdmin("acls", "add", "--principal", "User:alice", "--operation", "DESCRIBE", "--topic", "orders"))
            .as(err.toString()).isZero();
        assertThat(asAdmin("acls", "add", "--principal", "User:alice", "--operation", "CREATE", "--cluster"))
            .as(err.toString()).isZero();

        out.getBuffer().setLength(0);
        assertThat(asAdmin("users", "list")).isZero();
        assertThat(out.toString().lines()).containsExactly("admin", "alice");
        out.getBuffer().setLength(0);
        assertThat(asAdmin("acls", "list")).isZero();
        assertThat(out.toString().lines()).containsExactly(
            "User:alice\tALLOW\tDESCRIBE\tTOPIC\torders", "User:alice\tALLOW\tCREATE\tCLUSTER\tkafka-cluster");

        // alice may create topics and see orders, nothing else; a refusal is a clear error and exit code 1.
        assertThat(as("alice", alicePassword, "topics", "create", "--topic", "alices", "--partitions", "1"))
            .as(err.toString()).isZero();
        assertThat(as("alice", alicePassword, "acls", "list")).isEqualTo(CliCommand.EXIT_ERROR);
        assertThat(err.toString()).contains("error: AUTHORIZATION_FAILED: User:alice may not DESCRIBE CLUSTER kafka-cluster");
        assertThat(as("alice", alicePassword, "topics", "delete", "--topic", "orders")).isEqualTo(CliCommand.EXIT_ERROR);
        assertThat(as("alice", adminPassword, "topics", "list")).isEqualTo(CliCommand.EXIT_ERROR);
        assertThat(err.toString()).contains("authentication failed");

        assertThat(asAdmin("acls", "remove", "--principal", "User:alice", "--operation", "CREATE", "--cluster"))
            .isZero();
        assertThat(asAdmin("users", "delete", "--name", "alice")).isZero();
        assertThat(as("alice", alicePassword, "topics", "list")).isEqualTo(CliCommand.EXIT_ERROR);
    }

    @Test
    void anAclNamesExactlyOneResource()
    {
        assertThat(asAdmin("acls", "add", "--principal", "User:a", "--operation", "READ", "--topic", "t", "--cluster"))
            .isEqualTo(2);
        assertThat(asAdmin("acls", "add", "--principal", "User:a", "--operation", "EAT", "--topic", "t"))
            .isEqualTo(2);
        assertThat(asAdmin("acls", "add", "--principal", "a", "--operation", "READ", "--topic", "t"))
            .isEqualTo(CliCommand.EXIT_ERROR);
        assertThat(err.toString()).contains("a principal is User:name or User:*");
    }

    private int asAdmin(final String... args)
    {
        return as("admin", adminPassword, args);
    }

    private int as(final String user, final File passwordFile, final String... args)
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--aeron-dir", broker.context().aeronDirectoryName(), "--user", user,
            "--password-file", passwordFile.getPath()));
        return new CommandLine(new AerologCli()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
            .execute(all.toArray(new String[0]));
    }
}
