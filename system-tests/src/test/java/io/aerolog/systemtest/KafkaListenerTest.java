package io.aerolog.systemtest;

import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Consumer;
import io.aerolog.client.Producer;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.kafka.KafkaListener;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Kafka's own clients against a broker's Kafka-protocol listener: kcat (librdkafka) and kafka-clients' producer,
 * consumer and admin client, and records crossing between them and the native clients with keys, values, headers,
 * timestamps and offsets intact.
 */
class KafkaListenerTest
{
    @TempDir
    static File dir;
    private static TestBroker broker;
    private static String bootstrap;

    @BeforeAll
    static void startBroker()
    {
        broker = TestBroker.launch(dir, (ctx) -> ctx.kafkaListener(new KafkaListener.Config().port(0)));
        bootstrap = broker.broker().kafkaListenerAddress();
    }

    @AfterAll
    static void stopBroker()
    {
        if (null != broker)
        {
            broker.close();
        }
    }

    @Test
    void kcatListsProducesWithKeysAndReadsFromTheBeginningAndFromAnOffset() throws Exception
    {
        assumeTrue(Kcat.installed(), "kcat is not installed (.ci/run installs it)");
        final String topic = "kcat-plain";
        final Kcat.Result produced = Kcat.run("k1:v1\nk2:v2\nk3:v3\n", 60,
            "-b", bootstrap, "-t", topic, "-P", "-K:", "-X", "request.required.acks=all");
        assertThat(produced.exitCode()).withFailMessage(produced.err()).isZero();

        final Kcat.Result listed = Kcat.run(null, 60, "-b", bootstrap, "-L", "-t", topic);
        assertThat(listed.out()).contains("topic \"" + topic + "\" with 1 partitions")
            .contains("partition 0, leader 0, replicas: 0, isrs: 0");

        final Kcat.Result all = Kcat.run(null, 60, "-b", bootstrap, "-t", topic, "-C", "-o", "beginning", "-e",
            "-q", "-f", "%k=%s p%p o%o\\n");
        assertThat(all.lines()).containsExactly("k1=v1 p0 o0", "k2=v2 p0 o1", "k3=v3 p0 o2");

        final Kcat.Result fromOne = Kcat.run(null, 60, "-b", bootstrap, "-t", topic, "-C", "-o", "1", "-e", "-q",
            "-f", "%k=%s o%o\\n");
        assertThat(fromOne.lines()).containsExactly("k2=v2 o1", "k3=v3 o2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void kcatProducesWithEveryCodecAndTheRecordsReadBackUncompressed(final String codec) throws Exception
    {
        assumeTrue(Kcat.installed(), "kcat is not installed (.ci/run installs it)");
        final String topic = "kcat-codec-" + codec;
        final StringBuilder input = new StringBuilder();
        for (int i = 0; i < 50; i++)
        {
            input.append("key-").append(i).append(':').append("value-").append(i).append('-')
                .append("x".repeat(i)).append('\n');
        }
        final Kcat.Result produced = Kcat.run(input.toString(), 60, "-b", bootstrap, "-t", topic, "-P", "-K:",
            "-z", codec, "-X", "request.required.acks=all");
        assertThat(produced.exitCode()).withFailMessage(produced.err()).isZero();

        final Kcat.Result read = Kcat.run(null, 60, "-b", bootstrap, "-t", topic, "-C", "-o", "beginning", "-e",
            "-q", "-f", "%k=%s o%o\\n");
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            expected.add("key-" + i + "=value-" + i + "-" + "x".repeat(i) + " o" + i);
        }
        assertThat(read.lines()).containsExactlyElementsOf(expected);
        // The native consumer reads the same records at the same offsets.
        final List<ConsumerRecord> nativeRecords = readNative(topic, 0, 50);
        assertThat(nativeRecords).extracting(ConsumerRecord::offset).containsExactlyElementsOf(
            java.util.stream.LongStream.range(0, 50).boxed().toList());
        assertThat(new String(nativeRecords.get(7).value(), StandardCharsets.UTF_8)).isEqualTo("value-7-xxxxxxx");
    }

    @Test
    void javaProducerWritesOnceEachWithOffsetsAConsumerInAssignModeReadsBack() throws Exception
    {
        final String topic = "java-clients";
        try (org.apache.kafka.clients.admin.Admin admin = kafkaAdmin())
        {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short)1))).all().get();
        }
        final long baseTime = 1_700_000_000_000L;
        final Map<Long, String> sentByPartitionAndOffset = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = kafkaProducer("all"))
        {
            final List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 300; i++)
            {
                final org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record =
                    new org.apache.kafka.clients.producer.ProducerRecord<>(topic, i % 3, baseTime + i,
                        bytes("key-" + i), bytes("value-" + i),
                        List.of(new RecordHeader("n", bytes(Integer.toString(i)))));
                futures.add(producer.send(record));
            }
            producer.flush();
            for (int i = 0; i < futures.size(); i++)
            {
                final RecordMetadata metadata = futures.get(i).get();
                assertThat(metadata.partition()).isEqualTo(i % 3);
                final String previous = sentByPartitionAndOffset.put(
                    metadata.partition() * 1_000_000L + metadata.offset(), "value-" + i);
                assertThat(previous).withFailMessage("offset given twice: " + metadata).isNull();
            }
        }
        try (KafkaConsumer<byte[], byte[]> consumer = kafkaConsumer(null))
        {
            final List<org.apache.kafka.common.TopicPartition> partitions = List.of(
                new org.apache.kafka.common.TopicPartition(topic, 0),
                new org.apache.kafka.common.TopicPartition(topic, 1),
                new org.apache.kafka.common.TopicPartition(topic, 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> read =
                pollUntil(consumer, 300);
            assertThat(read).hasSize(300);
            for (final org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record : read)
            {
                final String value = new String(record.value(), StandardCharsets.UTF_8);
                assertThat(sentByPartitionAndOffset.get(record.partition() * 1_000_000L + record.offset()))
                    .isEqualTo(value);
                final int i = Integer.parseInt(value.substring("value-".length()));
                assertThat(record.timestamp()).isEqualTo(baseTime + i);
                assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("key-" + i);
                assertThat(new String(record.headers().lastHeader("n").value(), StandardCharsets.UTF_8))
                    .isEqualTo(Integer.toString(i));
            }
            assertThat(consumer.endOffsets(partitions).values()).containsOnly(100L);
            assertThat(consumer.beginningOffsets(partitions).values()).containsOnly(0L);

            // offsetsForTimes: the first record at or after a time; seek moves the position.
            final org.apache.kafka.common.TopicPartition p1 = partitions.get(1);
            final Map<org.apache.kafka.common.TopicPartition, OffsetAndTimestamp> byTime =
                consumer.offsetsForTimes(Map.of(p1, baseTime + 151));
            // Partition 1 holds i = 1, 4, 7, ...: the first at or after 151 is i = 151 at offset 50.
            assertThat(byTime.get(p1).offset()).isEqualTo(50);
            consumer.assign(List.of(p1));
            consumer.seek(p1, 98);
            final List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> tail =
                pollUntil(consumer, 2);
            assertThat(tail).extracting(org.apache.kafka.clients.consumer.ConsumerRecord::offset)
                .containsExactly(98L, 99L);
        }
    }

    @Test
    void acksZeroAndOneAreWrittenToo() throws Exception
    {
        final String topic = "java-acks";
        try (org.apache.kafka.clients.admin.Admin admin = kafkaAdmin())
        {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short)1))).all().get();
        }
        for (final String acks : List.of("0", "1"))
        {
            try (KafkaProducer<byte[], byte[]> producer = kafkaProducer(acks))
            {
                for (int i = 0; i < 20; i++)
                {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, bytes(acks),
                        bytes(acks + "-" + i)));
                }
                producer.flush();
            }
        }
        final List<ConsumerRecord> read = readNative(topic, 0, 40);
        assertThat(read).extracting((r) -> new String(r.value(), StandardCharsets.UTF_8))
            .containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(
                java.util.stream.IntStream.range(0, 20).mapToObj((i) -> "0-" + i),
                java.util.stream.IntStream.range(0, 20).mapToObj((i) -> "1-" + i)).toList());
    }

    @Test
    void nativeRecordsReadByKafkaConsumerAndKafkaRecordsByNativeConsumerWithEverythingIntact() throws Exception
    {
        final String topic = "interop";
        broker.createTopic(topic, 1);
        final long time = 1_710_000_000_000L;
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config().acks(Acks.ALL)))
        {
            producer.send(new io.aerolog.client.ProducerRecord(topic, 0, time, bytes("native-key"),
                bytes("native-value"), List.of(new AbstractMap.SimpleImmutableEntry<>("h", bytes("native-h"))))).get();
            producer.send(new io.aerolog.client.ProducerRecord(topic, 0, time + 1, null, null, List.of())).get();
        }
        try (KafkaProducer<byte[], byte[]> producer = kafkaProducer("all"))
        {
            final RecordMetadata metadata = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                topic, 0, time + 2, bytes("kafka-key"), bytes("kafka-value"),
                List.of(new RecordHeader("h", bytes("kafka-h"))))).get();
            assertThat(metadata.offset()).isEqualTo(2);
        }
        try (KafkaConsumer<byte[], byte[]> consumer = kafkaConsumer(null))
        {
            final org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            final List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> read =
                pollUntil(consumer, 3);
            assertThat(read).extracting(org.apache.kafka.clients.consumer.ConsumerRecord::offset)
                .containsExactly(0L, 1L, 2L);
            assertThat(read.get(0).key()).isEqualTo(bytes("native-key"));
            assertThat(read.get(0).value()).isEqualTo(bytes("native-value"));
            assertThat(read.get(0).timestamp()).isEqualTo(time);
            assertThat(read.get(0).headers().lastHeader("h").value()).isEqualTo(bytes("native-h"));
            assertThat(read.get(1).key()).isNull();
            assertThat(read.get(1).value()).isNull();
        }
        final List<ConsumerRecord> nativeRead = readNative(topic, 0, 3);
        assertThat(nativeRead.get(2).offset()).isEqualTo(2);
        assertThat(nativeRead.get(2).key()).isEqualTo(bytes("kafka-key"));
        assertThat(nativeRead.get(2).value()).isEqualTo(bytes("kafka-value"));
        assertThat(nativeRead.get(2).timestamp()).isEqualTo(time + 2);
        assertThat(nativeRead.get(2).headers()).hasSize(1);
        assertThat(nativeRead.get(2).headers().get(0).getValue()).isEqualTo(bytes("kafka-h"));
    }

    @Test
    void adminClientCreatesListsDescribesAndDeletesTopics() throws Exception
    {
        try (org.apache.kafka.clients.admin.Admin admin = kafkaAdmin())
        {
            admin.createTopics(List.of(new NewTopic("admin-a", 4, (short)1)
                .configs(Map.of("cleanup.policy", "compact", "retention.ms", "1000")))).all().get();
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("admin-a", 1, (short)1))).all().get())
                .hasCauseInstanceOf(TopicExistsException.class);
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("admin-bad", 1, (short)1)
                .configs(Map.of("no.such.config", "1")))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class);
            assertThat(admin.listTopics().names().get()).contains("admin-a").doesNotContain("admin-bad");
            final TopicDescription description = admin.describeTopics(List.of("admin-a")).allTopicNames().get()
                .get("admin-a");
            assertThat(description.partitions()).hasSize(4);
            assertThat(description.topicId()).isNotNull();
            admin.createTopics(List.of(new NewTopic("admin-c", 1, (short)1)
                .configs(Map.of("retention.ms", "60000", "message.timestamp.type", "LogAppendTime")))).all().get();
            final org.apache.kafka.common.config.ConfigResource resource = new org.apache.kafka.common.config
                .ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "admin-c");
            final org.apache.kafka.clients.admin.Config configs = admin.describeConfigs(List.of(resource)).all().get()
                .get(resource);
            assertThat(configs.get("retention.ms").value()).isEqualTo("60000");
            assertThat(configs.get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
            admin.deleteTopics(List.of("admin-a")).all().get();
            assertThat(admin.listTopics().names().get()).doesNotContain("admin-a");
        }
        try (io.aerolog.client.Admin admin = io.aerolog.client.Admin.connect(broker.ipc()))
        {
            assertThat(admin.listTopics()).doesNotContain("admin-a");
        }
    }

    @Test
    void aCompactedTopicKeepsEverything() throws Exception
    {
        try (org.apache.kafka.clients.admin.Admin admin = kafkaAdmin())
        {
            admin.createTopics(List.of(new NewTopic("compacted", 1, (short)1)
                .configs(Map.of("cleanup.policy", "compact", "retention.ms", "1000")))).all().get();
        }
        try (io.aerolog.client.Admin admin = io.aerolog.client.Admin.connect(broker.ipc()))
        {
            assertThat(admin.describeTopic("compacted").retentionMs()).isEqualTo(-1);
            assertThat(admin.describeTopic("compacted").retentionBytes()).isEqualTo(-1);
        }
    }

    @Test
    void producingToAnUnknownTopicCreatesIt() throws Exception
    {
        try (KafkaProducer<byte[], byte[]> producer = kafkaProducer("all"))
        {
            final RecordMetadata metadata = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                "auto-created", bytes("v"))).get();
            assertThat(metadata.offset()).isZero();
        }
        try (io.aerolog.client.Admin admin = io.aerolog.client.Admin.connect(broker.ipc()))
        {
            assertThat(admin.describeTopic("auto-created").partitions()).hasSize(1);
        }
    }

    @Test
    void kcatInAGroupReadsOnceAndItsCommittedOffsetsAreTheControllers() throws Exception
    {
        assumeTrue(Kcat.installed(), "kcat is not installed (.ci/run installs it)");
        final String topic = "kcat-group";
        Kcat.run("a:1\nb:2\nc:3\n", 60, "-b", bootstrap, "-t", topic, "-P", "-K:");
        final Kcat.Result first = Kcat.run(null, 60, "-b", bootstrap, "-G", "kcat-grp", "-o", "beginning", "-e",
            "-q", "-f", "%k=%s o%o\\n", topic);
        assertThat(first.lines()).containsExactly("a=1 o0", "b=2 o1", "c=3 o2");
        try (io.aerolog.client.Admin admin = io.aerolog.client.Admin.connect(broker.ipc()))
        {
            assertThat(admin.listGroupOffsets("kcat-grp").get(new TopicPartition(topic, 0)).offset()).isEqualTo(3);
        }
        Kcat.run("d:4\n", 60, "-b", bootstrap, "-t", topic, "-P", "-K:");
        final Kcat.Result second = Kcat.run(null, 60, "-b", bootstrap, "-G", "kcat-grp", "-e", "-q", "-f",
            "%k=%s o%o\\n", topic);
        assertThat(second.lines()).containsExactly("d=4 o3");
    }

    @Test
    void javaConsumersInAGroupSplitThePartitionsCommitAndALaterMemberResumes() throws Exception
    {
        final String topic = "java-group";
        final String group = "java-grp";
        try (org.apache.kafka.clients.admin.Admin admin = kafkaAdmin())
        {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short)1))).all().get();
        }
        final List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> a = kafkaConsumer(group); KafkaConsumer<byte[], byte[]> b =
            kafkaConsumer(group))
        {
            a.subscribe(List.of(topic));
            b.subscribe(List.of(topic));
            // First the group settles: each member holds two partitions (the controller's assignment).
            final long settleDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < settleDeadline &&
                (a.assignment().size() != 2 || b.assignment().size() != 2))
            {
                a.poll(Duration.ofMillis(50)).forEach((r) -> seen.add(new String(r.value(), StandardCharsets.UTF_8)));
                b.poll(Duration.ofMillis(50)).forEach((r) -> seen.add(new String(r.value(), StandardCharsets.UTF_8)));
            }
            assertThat(a.assignment()).hasSize(2).doesNotContainAnyElementsOf(b.assignment());
            assertThat(b.assignment()).hasSize(2);
            assertThat(seen).isEmpty();
            try (KafkaProducer<byte[], byte[]> producer = kafkaProducer("all"))
            {
                for (int i = 0; i < 200; i++)
                {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, i % 4, null,
                        bytes("v-" + i)));
                }
                producer.flush();
            }
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && seen.size() < 200)
            {
                for (final KafkaConsumer<byte[], byte[]> consumer : List.of(a, b))
                {
                    consumer.poll(Duration.ofMillis(50)).forEach((r) -> seen.add(new String(r.value(),
                        StandardCharsets.UTF_8)));
                    consumer.commitSync();
                }
            }
            // Each record once: the members read disjoint partitions.
            assertThat(seen).hasSize(200).doesNotHaveDuplicates();
        }
        try (io.aerolog.client.Admin admin = io.aerolog.client.Admin.connect(broker.ipc()))
        {
            assertThat(admin.listGroupOffsets(group).values()).extracting(io.aerolog.client.OffsetAndMetadata::offset)
                .containsExactly(50L, 50L, 50L, 50L);
        }
        try (KafkaProducer<byte[], byte[]> producer = kafkaProducer("all"))
        {
            for (int i = 200; i < 210; i++)
            {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, i % 4, null,
                    bytes("v-" + i)));
            }
            producer.flush();
        }
        try (KafkaConsumer<byte[], byte[]> later = kafkaConsumer(group))
        {
            later.subscribe(List.of(topic));
            final List<String> read = new ArrayList<>();
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.size() < 10 && System.nanoTime() < deadline)
            {
                later.poll(Duration.ofMillis(100)).forEach((r) -> read.add(new String(r.value(),
                    StandardCharsets.UTF_8)));
            }
            // Resumed from the committed offsets: only the new records, once each.
            assertThat(read).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.range(200, 210).mapToObj((i) -> "v-" + i).toList());

            // Kafka's admin client sees the group (as kafka-consumer-groups --list / --describe do).
            try (org.apache.kafka.clients.admin.Admin admin = kafkaAdmin())
            {
                assertThat(admin.listGroups().all().get()).extracting(org.apache.kafka.clients.admin.GroupListing::groupId)
                    .contains(group);
                final org.apache.kafka.clients.admin.ConsumerGroupDescription description =
                    admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                assertThat(description.members()).hasSize(1);
                assertThat(description.members().iterator().next().assignment().topicPartitions()).hasSize(4);
                assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values())
                    .extracting(org.apache.kafka.clients.consumer.OffsetAndMetadata::offset)
                    .containsOnly(50L);
            }
        }
    }

    private static List<ConsumerRecord> readNative(final String topic, final int partition, final int count)
    {
        try (Consumer consumer = Consumer.connect(broker.ipc(), new Consumer.Config()))
        {
            final TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            final List<ConsumerRecord> read = new ArrayList<>();
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.size() < count && System.nanoTime() < deadline)
            {
                read.addAll(consumer.poll(Duration.ofMillis(100)));
            }
            return read;
        }
    }

    private static List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> pollUntil(
        final KafkaConsumer<byte[], byte[]> consumer, final int count)
    {
        final List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (read.size() < count && System.nanoTime() < deadline)
        {
            consumer.poll(Duration.ofMillis(100)).forEach(read::add);
        }
        return read;
    }

    private static org.apache.kafka.clients.admin.Admin kafkaAdmin()
    {
        final Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return org.apache.kafka.clients.admin.Admin.create(properties);
    }

    private static KafkaProducer<byte[], byte[]> kafkaProducer(final String acks)
    {
        final Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ProducerConfig.ACKS_CONFIG, acks);
        if ("0".equals(acks) || "1".equals(acks))
        {
            properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        }
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> kafkaConsumer(final String group)
    {
        final Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (null != group)
        {
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "300");
        return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
