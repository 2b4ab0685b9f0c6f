package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.ClientContext;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.testsupport.BrokerProcess;
import io.aerolog.testsupport.ChildProcess;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.ConnectEncoder;
import io.aerolog.codecs.wire.DisconnectEncoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.transport.Channels;
import io.aerolog.transport.SchemaFrames;
import io.aerolog.transport.StreamIds;
import io.aerolog.transport.Wire;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uk.co.real_logic.sbe.ir.Token;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real broker under a stream of hostile frames on every network input (client ingress over IPC and UDP, both its
 * control and produce streams; the archive control port; the controller's cluster ingress) while a normal client
 * produces with acks=all and consumes. The history of the normal client is then checked, Jepsen style: every
 * acknowledged record was read, at its offset, once; offsets dense; nothing read twice or out of order; and after a
 * restart the partition holds exactly what was read. The broker logged no error and never stalled the normal client.
 */
class HostileInputTest
{
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 2;
    private static final String CHILD_HEAP = "512m";

    @TempDir
    File dir;

    @Test
    void aBrokerUnderHostileFramesServesANormalClientAndLosesNothing() throws Exception
    {
        run(20_000);
    }

    /** The long run, with the broker in a process of its own so that its resident memory can be watched. */
    @Test
    @Tag("slow")
    void aMillionHostileFramesPerInput() throws Exception
    {
        final int portBase = Ports.nextPortBase();
        final String aeronDir = TestBroker.aeronDirFor(dir);
        final ClientContext ipc = new ClientContext().aeronDirectoryName(aeronDir).requestTimeoutMs(10_000);
        final History history;
        final List<Long> anonKiB = new ArrayList<>();
        final List<Long> shmemKiB = new ArrayList<>();
        try (ChildProcess child = BrokerProcess.start(BrokerProcess.child(TestBroker.defaultSettings(dir, portBase))
            .jvmArgs(childJvmArgs())
            .outputFile(new File(dir, "broker.log"))
            .killOnClose(), Duration.ofSeconds(60)))
        {
            try (Admin admin = Admin.connect(ipc))
            {
                admin.createTopic(TOPIC, PARTITIONS);
            }
            history = hostileRun(1_000_000, aeronDir, "localhost", portBase, ipc,
                () ->
                {
                    anonKiB.add(residentKiB(child.pid(), "RssAnon:"));
                    shmemKiB.add(residentKiB(child.pid(), "RssShmem:"));
                });
            assertThat(child.isAlive()).as("the broker process").isTrue();
            assertThat(child.stop()).as("exit code of a clean stop (SIGTERM)").isIn(0, 143);
        }
        // The heap is committed and touched at start (-Xms = -Xmx, AlwaysPreTouch), so the process's own memory is
        // flat unless something grows; Aeron's log buffers (shared memory) fill as their terms are first written.
        System.out.printf("broker resident memory, KiB: own %s; Aeron buffers %s%n", anonKiB, shmemKiB);
        final long warm = anonKiB.get(Math.min(2, anonKiB.size() - 1));
        final long last = anonKiB.get(anonKiB.size() - 1);
        assertThat(last).as("the broker's own resident memory at the end vs after warm-up, KiB")
            .isLessThan(warm + 128 * 1024);

        final File errorLog = new File(new File(dir, "data"), io.aerolog.node.NodeErrorLog.FILENAME);
        TestBroker.assertNoUnexpectedErrors(errorLog, Set.of(), HostileInputTest::isRefusedHostileChannel);
        java.nio.file.Files.delete(errorLog.toPath()); // checked: the restarted broker need not check it again
        try (TestBroker broker = TestBroker.launch(dir, portBase, java.util.function.UnaryOperator.identity()))
        {
            final History afterRestart = new History();
            try (Consumer consumer = Consumer.connect(broker.ipc(),
                new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
            {
                consumer.assignAll(TOPIC);
                readToEnd(consumer, afterRestart);
            }
            assertThat(afterRestart.readByPartition).isEqualTo(history.readByPartition);
        }
    }

    private static List<String> childJvmArgs()
    {
        final List<String> args = new ArrayList<>(ChildProcess.aeronJvmArgs(CHILD_HEAP));
        args.add("-Xms" + CHILD_HEAP);
        args.add("-XX:+AlwaysPreTouch");
        return args;
    }

    private static long residentKiB(final long pid, final String field)
    {
        try
        {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status")).stream()
                .filter((line) -> line.startsWith(field))
                .mapToLong((line) -> Long.parseLong(line.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
        }
        catch (final java.io.IOException ex)
        {
            return -1;
        }
    }

    // Aeron's consensus module failing on a hostile frame that reads as its SessionConnectRequest (see run).
    private static boolean isRefusedHostileChannel(final String errorText)
    {
        final boolean driverRefusal = errorText.startsWith("io.aeron.driver.exceptions.InvalidChannelException") &&
            errorText.contains("DriverConductor.lambda$onAddNetworkPublication");
        final boolean clusterSessionRefusal = errorText.startsWith("io.aeron.exceptions.RegistrationException") &&
            errorText.contains("errorCodeValue=1") && errorText.contains("io.aeron.cluster.ClusterSession");
        final boolean clusterDecoderRefusal = errorText.startsWith("java.lang.IndexOutOfBoundsException") &&
            errorText.contains("io.aeron.cluster.codecs.") && errorText.contains("io.aeron.cluster.IngressAdapter");
        return driverRefusal || clusterSessionRefusal || clusterDecoderRefusal;
    }

    private void run(final long framesPerInput) throws Exception
    {
        try (TestBroker broker = TestBroker.launch(dir).tolerateNodeErrors(HostileInputTest::isRefusedHostileChannel))
        {
            // The consensus module reports each malformed cluster-ingress frame it drops as a warning (counted apart);
            // no part of the node may log an error but Aeron's own handling of a mutated frame that happens to read
            // as its SessionConnectRequest: the consensus module decodes it before any authentication, so a length
            // beyond the frame fails in its decoder, and a garbage response channel makes it ask its driver for a
            // publication there; both are logged. (Only nodes should reach the cluster ingress: see README.)
            broker.createTopic(TOPIC, PARTITIONS);
            final History history = hostileRun(framesPerInput, broker.broker().context().aeronDirectoryName(),
                broker.broker().context().host(), broker.portBase(), broker.ipc(), () -> { });
            broker.assertNoErrors();

            broker.restart();
            final History afterRestart = new History();
            try (Consumer consumer = Consumer.connect(broker.ipc(),
                new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
            {
                consumer.assignAll(TOPIC);
                readToEnd(consumer, afterRestart);
            }
            assertThat(afterRestart.readByPartition).isEqualTo(history.readByPartition);
        }
    }

    // Hostile frames to every input of the broker while a normal client produces (acks=all) and consumes; checks
    // the normal client's history: nothing acknowledged lost, nothing twice, no gaps.
    private static History hostileRun(
        final long framesPerInput,
        final String aeronDir,
        final String host,
        final int portBase,
        final ClientContext ipc,
        final Runnable sample) throws Exception
    {
        final History history = new History();
        final AtomicBoolean stop = new AtomicBoolean();
        final List<HostileSender> senders = List.of(
            HostileSender.ipc(aeronDir, 1),
            HostileSender.udp(host, portBase, 2));
        final List<Thread> threads = new ArrayList<>();
        for (final HostileSender sender : senders)
        {
            final Thread thread = new Thread(() -> sender.run(framesPerInput, stop), "hostile-" + sender.name);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }

        try (Producer producer = Producer.connect(ipc, new Producer.Config().acks(Acks.ALL));
            Consumer consumer = Consumer.connect(ipc,
                new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(TOPIC);
            long sent = 0;
            long nextSampleNs = System.nanoTime();
            while (threads.stream().anyMatch(Thread::isAlive))
            {
                if (System.nanoTime() - nextSampleNs >= 0)
                {
                    nextSampleNs += TimeUnit.SECONDS.toNanos(5);
                    sample.run();
                }
                sendOne(producer, history, sent++);
                for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(1)))
                {
                    history.read(record);
                }
            }
            producer.flush();
            readToEnd(consumer, history);
        }
        finally
        {
            stop.set(true);
            for (final Thread thread : threads)
            {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            senders.forEach(CloseHelper::quietClose);
        }

        for (final HostileSender sender : senders)
        {
            System.out.printf("hostile %s: %s; never connected: %s%n", sender.name, sender.sentByInput,
                sender.notConnected);
        }
        System.out.printf("normal client: %d acknowledged, %d failed, longest wait between acks %d ms%n",
            history.acked.size(), history.failed.get(), history.longestAckGapMs());
        history.check();
        assertThat(history.acked).hasSizeGreaterThan(10);
        assertThat(history.longestAckGapMs()).as("the normal client was stalled").isLessThan(5_000);
        return history;
    }

    private static void sendOne(final Producer producer, final History history, final long sequence)
    {
        final String value = "v-" + sequence;
        final long sentAtMs = System.currentTimeMillis();
        producer.send(new io.aerolog.client.ProducerRecord(TOPIC, (int)(sequence % PARTITIONS), -1,
            ("k" + sequence).getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), List.of()))
            .whenComplete((metadata, error) ->
            {
                if (null == error)
                {
                    history.acked(metadata.partition(), metadata.offset(), value, sentAtMs);
                }
                else
                {
                    history.failed.incrementAndGet();
                }
            });
        producer.poll();
    }

    private static void readToEnd(final Consumer consumer, final History history)
    {
        final Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!history.reached(ends) && System.nanoTime() < deadlineNs)
        {
            for (final ConsumerRecord record : consumer.poll(Duration.ofMillis(20)))
            {
                history.read(record);
            }
        }
        assertThat(history.reached(ends)).as("read up to the end offsets %s", ends).isTrue();
    }

    /** What the normal client saw: acknowledgements and reads, checked for loss, duplicates, gaps and reordering. */
    private static final class History
    {
        final Map<Long, String> acked = new ConcurrentHashMap<>(); // key: partition << 40 | offset
        final AtomicLong failed = new AtomicLong();
        final Map<Integer, TreeMap<Long, String>> readByPartition = new TreeMap<>();
        final List<String> anomalies = new ArrayList<>();
        private long lastAckMs = -1;
        private long longestAckGapMs;

        synchronized void acked(final int partition, final long offset, final String value, final long sentAtMs)
        {
            final String previous = acked.put(key(partition, offset), value);
            if (null != previous)
            {
                anomalies.add("offset " + partition + "/" + offset + " acknowledged twice: " + previous + ", " + value);
            }
            final long now = System.currentTimeMillis();
            longestAckGapMs = Math.max(longestAckGapMs, now - Math.max(sentAtMs, lastAckMs < 0 ? sentAtMs : lastAckMs));
            lastAckMs = now;
        }

        synchronized long longestAckGapMs()
        {
            return longestAckGapMs;
        }

        void read(final ConsumerRecord record)
        {
            final TreeMap<Long, String> reads = readByPartition.computeIfAbsent(record.partition(), p -> new TreeMap<>());
            final String value = new String(record.value(), StandardCharsets.UTF_8);
            final long expected = reads.isEmpty() ? 0 : reads.lastKey() + 1;
            if (record.offset() != expected)
            {
                anomalies.add("partition " + record.partition() + " read offset " + record.offset() + " after " +
                    (expected - 1) + (record.offset() < expected ? " (backwards or twice)" : " (a gap)"));
            }
            reads.put(record.offset(), value);
        }

        boolean reached(final Map<TopicPartition, Long> ends)
        {
            for (final Map.Entry<TopicPartition, Long> end : ends.entrySet())
            {
                final TreeMap<Long, String> reads = readByPartition.get(end.getKey().partition());
                final long next = null == reads || reads.isEmpty() ? 0 : reads.lastKey() + 1;
                if (next < end.getValue())
                {
                    return false;
                }
            }
            return true;
        }

        void check()
        {
            for (final Map.Entry<Long, String> ack : acked.entrySet())
            {
                final int partition = (int)(ack.getKey() >>> 40);
                final long offset = ack.getKey() & ((1L << 40) - 1);
                final TreeMap<Long, String> reads = readByPartition.get(partition);
                final String read = null == reads ? null : reads.get(offset);
                if (!ack.getValue().equals(read))
                {
                    anomalies.add("acknowledged " + ack.getValue() + " at " + partition + "/" + offset + " but read " +
                        read);
                }
            }
            assertThat(anomalies).as("anomalies in the history").isEmpty();
        }

        private static long key(final int partition, final long offset)
        {
            return ((long)partition << 40) | offset;
        }
    }

    /**
     * Sends hostile frames to a broker's inputs: mutated frames of every wire message, Connects that name internal
     * and partition streams or the broker's own ports as their channels or declare huge lengths, Disconnects and
     * requests for guessed session ids, random bytes; and, over UDP, mutated controller commands and random bytes to
     * the archive control port and the cluster ingress.
     */
    private static final class HostileSender implements AutoCloseable
    {
        private static final long NOT_CONNECTED_GIVE_UP_NS = TimeUnit.SECONDS.toNanos(5);
        final String name;
        final Map<String, Long> sentByInput = new TreeMap<>();
        private final MediaDriver driver;
        private final Aeron aeron;
        private final List<ExclusivePublication> wireInputs = new ArrayList<>();
        private final List<String> wireInputNames = new ArrayList<>();
        private final List<ExclusivePublication> internalInputs = new ArrayList<>();
        private final List<String> internalInputNames = new ArrayList<>();
        final Set<String> notConnected = new TreeSet<>();
        private long startNs;
        private final Random random;
        private final SchemaFrames wire;
        private final SchemaFrames cluster;
        private final List<List<Token>> wireMessages;
        private final List<List<Token>> clusterMessages;
        private final String brokerHost;
        private final int portBase;

        private HostileSender(final String name, final MediaDriver driver, final Aeron aeron, final String brokerHost,
            final int portBase, final long seed) throws Exception
        {
            this.name = name;
            this.driver = driver;
            this.aeron = aeron;
            this.brokerHost = brokerHost;
            this.portBase = portBase;
            this.random = new Random(seed);
            wire = new SchemaFrames("aerolog-wire");
            cluster = new SchemaFrames("aerolog-cluster");
            wireMessages = wire.messages();
            clusterMessages = cluster.messages();
        }

        static HostileSender ipc(final String aeronDirectoryName, final long seed) throws Exception
        {
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectoryName));
            final HostileSender sender = new HostileSender("ipc", null, aeron, "localhost", 0, seed);
            sender.wireInput("ipc control", Channels.ipcIngress(), Wire.CONTROL_STREAM_ID);
            sender.wireInput("ipc produce", Channels.ipcIngress(), Wire.PRODUCE_STREAM_ID);
            return sender;
        }

        static HostileSender udp(final String host, final int portBase, final long seed) throws Exception
        {
            final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(TestBroker.aeronDirFor(new File(System.getProperty("java.io.tmpdir"))) + "-hostile-" +
                    UUID.randomUUID())
                .threadingMode(ThreadingMode.SHARED).termBufferSparseFile(true)
                .dirDeleteOnStart(true).dirDeleteOnShutdown(true));
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            final HostileSender sender = new HostileSender("udp", driver, aeron, host, portBase, seed);
            sender.wireInput("udp control", Channels.udpIngress(host, portBase), Wire.CONTROL_STREAM_ID);
            sender.wireInput("udp produce", Channels.udpIngress(host, portBase), Wire.PRODUCE_STREAM_ID);
            sender.internalInput("archive control", "aeron:udp?endpoint=" + host + ":" + (portBase + 1),
                StreamIds.ARCHIVE_CONTROL);
            sender.internalInput("cluster ingress", "aeron:udp?endpoint=" + host + ":" + (portBase + 3),
                StreamIds.CLUSTER_INGRESS);
            return sender;
        }

        private void wireInput(final String inputName, final String channel, final int streamId)
        {
            wireInputs.add(aeron.addExclusivePublication(channel, streamId));
            wireInputNames.add(inputName);
        }

        private void internalInput(final String inputName, final String channel, final int streamId)
        {
            internalInputs.add(aeron.addExclusivePublication(channel, streamId));
            internalInputNames.add(inputName);
        }

        void run(final long framesPerInput, final AtomicBoolean stop)
        {
            startNs = System.nanoTime();
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
            long round = 0;
            while (!stop.get() && !done(framesPerInput))
            {
                for (int i = 0; i < wireInputs.size(); i++)
                {
                    offer(wireInputNames.get(i), wireInputs.get(i), buffer, wireFrame(buffer), framesPerInput);
                }
                for (int i = 0; i < internalInputs.size(); i++)
                {
                    offer(internalInputNames.get(i), internalInputs.get(i), buffer, internalFrame(buffer),
                        framesPerInput);
                }
                if (0 == (++round & 63))
                {
                    LockSupport.parkNanos(1_000_000); // leave the broker and the normal client the CPU they need
                }
            }
        }

        private boolean done(final long framesPerInput)
        {
            final int inputs = wireInputs.size() + internalInputs.size();
            return sentByInput.size() == inputs &&
                sentByInput.values().stream().allMatch(sent -> sent >= framesPerInput);
        }

        private void offer(final String inputName, final ExclusivePublication publication, final UnsafeBuffer buffer,
            final int length, final long framesPerInput)
        {
            if (sentByInput.getOrDefault(inputName, 0L) >= framesPerInput)
            {
                return;
            }
            if (!publication.isConnected() && System.nanoTime() - startNs > NOT_CONNECTED_GIVE_UP_NS)
            {
                // Nothing listens there (an input closed to strangers): nothing to send, so the input is done.
                notConnected.add(inputName);
                sentByInput.put(inputName, framesPerInput);
                return;
            }
            if (publication.offer(buffer, 0, length) > 0)
            {
                sentByInput.merge(inputName, 1L, Long::sum);
            }
        }

        private int wireFrame(final UnsafeBuffer buffer)
        {
            final int kind = random.nextInt(10);
            if (kind < 6)
            {
                return put(buffer, wire.mutatedFrame(wireMessages.get(random.nextInt(wireMessages.size())), random));
            }
            if (kind < 8)
            {
                return evilConnect(buffer);
            }
            if (kind < 9)
            {
                final DisconnectEncoder e = new DisconnectEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                    .clientSessionId(random.nextInt(64));
                return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
            }
            return randomBytes(buffer);
        }

        private int internalFrame(final UnsafeBuffer buffer)
        {
            return random.nextBoolean() ?
                put(buffer, cluster.mutatedFrame(clusterMessages.get(random.nextInt(clusterMessages.size())), random)) :
                randomBytes(buffer);
        }

        private int evilConnect(final UnsafeBuffer buffer)
        {
            final String[] channels = {
                "aeron:ipc", "aeron:ipc?term-length=64k", "aeron:udp?endpoint=" + brokerHost + ":" + (portBase + 1),
                "aeron:udp?endpoint=" + brokerHost + ":" + (portBase + 3), "aeron:udp?endpoint=10.255.255.1:40000",
                "aeron:udp?endpoint=localhost:1|control=localhost:2", "aeron:ipc|tags=1,2", "garbage", "",
            };
            final int[] streams = {10, 11, 12, 13, 100, 101, 108, 910, 998, 999, 1000, 1001, 0x2000_0001, -1};
            final ConnectEncoder e = new ConnectEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(random.nextLong()).clientVersion(Wire.CLIENT_VERSION)
                .responseStreamId(streams[random.nextInt(streams.length)])
                .dataStreamId(streams[random.nextInt(streams.length)])
                .produceSessionId(random.nextInt())
                .responseChannel(channels[random.nextInt(channels.length)])
                .dataChannel(channels[random.nextInt(channels.length)])
                .clientName("hostile").userName("").password("");
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
            if (random.nextInt(4) == 0) // declare a response channel of 2 GiB
            {
                buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + ConnectEncoder.BLOCK_LENGTH, 0x7fff_ffff);
            }
            return length;
        }

        private int randomBytes(final UnsafeBuffer buffer)
        {
            final int length = 1 + random.nextInt(64);
            for (int i = 0; i < length; i++)
            {
                buffer.putByte(i, (byte)random.nextInt());
            }
            return length;
        }

        private static int put(final UnsafeBuffer buffer, final byte[] frame)
        {
            final int length = Math.min(frame.length, buffer.capacity());
            buffer.putBytes(0, frame, 0, length);
            return Math.max(1, length);
        }

        @Override
        public void close()
        {
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(driver);
        }
    }
}
