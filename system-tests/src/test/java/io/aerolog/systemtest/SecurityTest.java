package io.aerolog.systemtest;

import io.aerolog.client.AclEntry;
import io.aerolog.client.AclEntry.Operation;
import io.aerolog.client.AclEntry.Permission;
import io.aerolog.client.AclEntry.ResourceType;
import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.ErrorCode;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.aerolog.systemtest.Records.bytes;
import static io.aerolog.systemtest.Records.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Users and ACLs against a real broker that requires authentication and closes what no ACL opens: every refusal is
 * an AUTHORIZATION_FAILED answer, counted, and users and ACLs survive a restart.
 */
class SecurityTest
{
    private static final String ADMIN_PASSWORD = "admin-secret";

    @TempDir
    File dir;
    private TestBroker broker;

    @AfterEach
    void tearDown()
    {
        if (null != broker)
        {
            broker.close();
        }
    }

    @Test
    void shouldAuthenticateEveryClientAndAllowOnlyWhatAclsGrant() throws Exception
    {
        broker = TestBroker.launch(dir, (ctx) -> ctx
            .authenticationRequired(true)
            .allowEveryoneIfNoAclFound(false)
            .superUsers("User:admin")
            .initialUser("admin", ADMIN_PASSWORD));

        // Who may connect: nobody anonymous, no stranger, no wrong password.
        assertRefused(() -> Admin.connect(broker.ipc()).close());
        assertRefused(() -> Admin.connect(as("admin", "guess")).close());
        assertRefused(() -> Admin.connect(as("mallory", "guess")).close());
        assertThat(broker.broker().authorizationFailures()).isEqualTo(3);

        try (Admin admin = Admin.connect(as("admin", ADMIN_PASSWORD)))
        {
            admin.createTopic("orders", 2);
            admin.createTopic("payroll", 1);
            admin.upsertUser("alice", "alice-pw");
            admin.upsertUser("bob", "bob-pw");
            admin.addAcl(new AclEntry("User:alice", ResourceType.TOPIC, "orders", Operation.WRITE, Permission.ALLOW));
            admin.addAcl(new AclEntry("User:bob", ResourceType.TOPIC, "orders", Operation.READ, Permission.ALLOW));
            admin.addAcl(new AclEntry("User:bob", ResourceType.GROUP, "billing", Operation.READ, Permission.ALLOW));
            assertThat(admin.listUsers()).containsExactly("admin", "alice", "bob");
            assertThat(admin.listAcls()).hasSize(3);
            assertThat(admin.electPreferredLeaders(null)).as("one broker: every leader is preferred").isZero();
            assertThatThrownBy(() -> admin.addAcl(new AclEntry(
                "alice", ResourceType.TOPIC, "orders", Operation.READ, Permission.ALLOW)))
                .isInstanceOfSatisfying(AerologException.class,
                    (ex) -> assertThat(ex.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        }

        final List<Long> aliceOffsets = new ArrayList<>();
        try (Admin alice = Admin.connect(as("alice", "alice-pw"));
            Producer producer = Producer.connect(as("alice", "alice-pw"), new Producer.Config()))
        {
            // WRITE includes DESCRIBE: alice sees the topic she writes, and only that one.
            assertThat(alice.listTopics()).containsExactly("orders");
            for (int i = 0; i < 10; i++)
            {
                final RecordMetadata md = producer.send(new ProducerRecord("orders", i % 2, -1, null, bytes("order-" + i), List.of())).get();
                aliceOffsets.add(md.offset());
            }
            assertRefused(() -> producer.send(new ProducerRecord("payroll", 0, -1, null, bytes("raise"), List.of())).get());
            assertRefused(() -> alice.deleteTopic("orders"));
            assertRefused(() -> alice.createTopic("alices", 1));
            assertRefused(() -> alice.upsertUser("alice", "new-pw"));
            assertRefused(() -> alice.listAcls());
            assertRefused(() -> alice.describeTopic("payroll"));
            assertRefused(() -> alice.electPreferredLeaders("orders")); // ALTER on the cluster
        }
        assertThat(aliceOffsets).containsExactly(0L, 0L, 1L, 1L, 2L, 2L, 3L, 3L, 4L, 4L);

        // Not idempotent, so it connects (no producer id needed) and meets the data path's WRITE check.
        try (Producer bobProducer = Producer.connect(as("bob", "bob-pw"), new Producer.Config().idempotent(false));
            Admin bob = Admin.connect(as("bob", "bob-pw")))
        {
            assertRefused(() -> bobProducer.send(new ProducerRecord("orders", 0, -1, null, bytes("forged"), List.of())).get());
            assertRefused(() -> bob.deleteGroup("billing"));
            assertRefused(() -> bob.listGroupOffsets("payments"));
            assertRefused(() -> bob.listOffset("payroll", 0, Admin.EARLIEST));
            // An idempotent producer id only for a principal that may write some topic.
            assertRefused(() -> Producer.connect(as("bob", "bob-pw"), new Producer.Config().idempotent(true))
                .close());
        }

        // bob reads every record of alice's in his group, and commits.
        try (Consumer consumer = Consumer.connect(as("bob", "bob-pw"), new Consumer.Config()
            .groupId("billing").autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.subscribe(List.of("orders"));
            assertThat(Records.consumeExactly(consumer, 10)).extracting((r) -> text(r.value()))
                .containsExactlyInAnyOrder("order-0", "order-1", "order-2", "order-3", "order-4", "order-5",
                    "order-6", "order-7", "order-8", "order-9");
        }
        // ... but not in a group he has no READ on.
        try (Consumer consumer = Consumer.connect(as("bob", "bob-pw"), new Consumer.Config()
            .groupId("payments").autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.subscribe(List.of("orders"));
            assertRefused(() -> consumer.poll(Duration.ofSeconds(5)));
        }
        // A DENY wins over the ALLOW, as soon as the broker hears of it: a stream already running ends, too.
        try (Consumer streaming = Consumer.connect(as("bob", "bob-pw"), new Consumer.Config()
            .autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            streaming.assign(List.of(new TopicPartition("orders", 1)));
            assertThat(Records.consumeExactly(streaming, 5)).hasSize(5);
            try (Admin admin = Admin.connect(as("admin", ADMIN_PASSWORD)))
            {
                admin.addAcl(new AclEntry("User:*", ResourceType.TOPIC, "orders", Operation.READ, Permission.DENY));
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertRefused(() -> streaming.poll(Duration.ofMillis(100))));
        }
        try (Consumer consumer = Consumer.connect(as("bob", "bob-pw"), new Consumer.Config()))
        {
            consumer.assign(List.of(new TopicPartition("orders", 0)));
            assertRefused(() -> consumer.poll(Duration.ofSeconds(5)));
        }
        final long refusals = broker.broker().authorizationFailures();
        assertThat(refusals).isGreaterThanOrEqualTo(3 + 7 + 4 + 2);

        // Users and ACLs are the controller's: they survive a restart, and so does every acknowledged record.
        broker.restart();
        assertRefused(() -> Admin.connect(as("alice", "wrong")).close());
        try (Producer producer = Producer.connect(as("alice", "alice-pw"), new Producer.Config()))
        {
            assertThat(producer.send(new ProducerRecord("orders", 0, -1, null, bytes("after restart"), List.of())).get().offset()).isEqualTo(5);
            assertRefused(() -> producer.send(new ProducerRecord("payroll", 0, -1, null, bytes("raise"), List.of())).get());
        }
        try (Admin admin = Admin.connect(as("admin", ADMIN_PASSWORD)))
        {
            assertThat(admin.listUsers()).containsExactly("admin", "alice", "bob");
            assertThat(admin.listAcls()).hasSize(4);
            admin.deleteUser("alice");
            assertThat(admin.listGroupOffsets("billing")).containsKeys(
                new TopicPartition("orders", 0), new TopicPartition("orders", 1));
        }
        assertRefused(() -> Admin.connect(as("alice", "alice-pw")).close());
    }

    @Test
    void shouldKeepTodaysOpenBrokerWorkingWithoutCredentialsOrAcls() throws Exception
    {
        broker = TestBroker.launch(dir);
        try (Admin anonymous = Admin.connect(broker.ipc()))
        {
            anonymous.createTopic("open", 1);
            anonymous.upsertUser("carol", "carol-pw");
            anonymous.addAcl(new AclEntry("User:carol", ResourceType.TOPIC, "closed", Operation.ALL, Permission.ALLOW));
            assertThat(anonymous.listTopics()).containsExactly("open");
        }
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config());
            Producer carol = Producer.connect(as("carol", "carol-pw"), new Producer.Config()))
        {
            assertThat(producer.send(new ProducerRecord("open", 0, -1, null, bytes("x"), List.of())).get().offset()).isZero();
            assertThat(carol.send(new ProducerRecord("open", 0, -1, null, bytes("y"), List.of())).get().offset()).isEqualTo(1);
        }
        // A topic that an ACL names is closed to everyone else, even with allow.everyone.if.no.acl.found.
        try (Admin admin = Admin.connect(as("carol", "carol-pw")))
        {
            admin.createTopic("closed", 1);
        }
        try (Producer anonymous = Producer.connect(broker.ipc(), new Producer.Config()))
        {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertRefused(() -> anonymous.send(new ProducerRecord("closed", 0, -1, null, bytes("z"), List.of())).get()));
        }
        assertRefused(() -> Admin.connect(as("carol", "not-carols")).close());
        assertThat(broker.broker().authorizationFailures()).isGreaterThanOrEqualTo(2);
    }

    private ClientContext as(final String user, final String password)
    {
        return broker.ipc().credentials(user, password);
    }

    private static void assertRefused(final ThrowingCallable call)
    {
        assertThatThrownBy(call).satisfies((ex) ->
        {
            final Throwable cause = ex instanceof java.util.concurrent.ExecutionException ? ex.getCause() : ex;
            assertThat(cause).isInstanceOf(AerologException.class);
            assertThat(((AerologException)cause).code()).as(cause.getMessage()).isEqualTo(ErrorCode.AUTHORIZATION_FAILED);
        });
    }
}
