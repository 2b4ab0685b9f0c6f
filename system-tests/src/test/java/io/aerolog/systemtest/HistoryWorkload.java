package io.aerolog.systemtest;

import io.aerolog.client.AerologException;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.TopicPartition;
import io.aerolog.systemtest.history.History;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Producers and a consumer of one topic, each on a thread of its own, that record everything they do in a
 * {@link History}: every send (invoked, then acked at its partition and offset, failed or unknown) with a unique
 * value, and every record read, per consumer incarnation. A client whose connection fails is replaced by a new one
 * (a consumer resumes after its last read as a new incarnation), so the workload goes on through broker failures.
 * After the faults, {@link #drain} reads the whole topic from the beginning once more.
 */
final class HistoryWorkload implements AutoCloseable
{
    /**
     * Error codes that say a record was refused before it was written; any other error leaves its fate unknown
     * (NOT_ENOUGH_REPLICAS too: the producer retries it, and an earlier try may have been appended).
     */
    private static final Set<String> DEFINITE_FAILURES = Set.of("RECORD_TOO_LARGE",
        "INVALID_REQUEST", "UNKNOWN_TOPIC_OR_PARTITION", "AUTHORIZATION_FAILED", "INVALID_TOPIC");
    private static final int MAX_IN_FLIGHT = 64;
    private static final long RECONNECT_BACK_OFF_MS = 200;

    private final History history;
    private final String name;
    private final String topic;
    private final int partitions;
    private final Supplier<ClientContext> clients;
    private final Producer.Config producerConfig;
    private final long sendIntervalNs;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();
    private final AtomicInteger consumerIncarnations = new AtomicInteger();
    private final Map<Integer, AtomicInteger> unansweredByPartition = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<Producer> producers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    /**
     * @param history        to record into (several workloads, one after another, may share one).
     * @param name           of this workload, unique in the history: it prefixes every value and client name.
     * @param topic          to produce to and consume.
     * @param partitions     of the topic: each producer sends to each in turn.
     * @param clients        a fresh client context for each (re)connection.
     * @param producerConfig of every producer (e.g. acks=all, idempotent).
     * @param ratePerProducer records per second each producer sends.
     */
    HistoryWorkload(
        final History history,
        final String name,
        final String topic,
        final int partitions,
        final Supplier<ClientContext> clients,
        final Producer.Config producerConfig,
        final int ratePerProducer)
    {
        this.history = history;
        this.name = name;
        this.topic = topic;
        this.partitions = partitions;
        this.clients = clients;
        this.producerConfig = producerConfig;
        this.sendIntervalNs = TimeUnit.SECONDS.toNanos(1) / ratePerProducer;
    }

    /**
     * Starts the producers and one consumer.
     *
     * @param producers how many.
     * @return this.
     */
    HistoryWorkload start(final int producers)
    {
        for (int i = 0; i < producers; i++)
        {
            final String producer = name + "-producer" + i;
            threads.add(thread(producer, () -> produce(producer)));
        }
        threads.add(thread(name + "-consumer", this::consumeLive));
        threads.forEach(Thread::start);
        return this;
    }

    /** @return the history so far. */
    History history()
    {
        return history;
    }

    /**
     * Waits until this many more records have been acknowledged (the workload makes progress).
     *
     * @param count   acknowledgements to wait for.
     * @param timeout most to wait.
     */
    void awaitAcks(final long count, final Duration timeout)
    {
        final long target = history.ackedCount() + count;
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (history.ackedCount() < target)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("only " + history.ackedCount() + " of " + target + " records acked within " +
                    timeout + "; last failures: " + failures() + "; unanswered per partition: " + unansweredByPartition +
                    "; producers: " + producers + "; threads:\n" + threadDump());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * Stops producing and consuming (a producer first waits, within its delivery timeout, for what it has in flight).
     *
     * @throws InterruptedException if interrupted.
     */
    void stop() throws InterruptedException
    {
        running = false;
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.MINUTES.toMillis(3));
        }
    }

    /**
     * Reads the whole topic from the beginning as a new consumer incarnation, until every acknowledged record was
     * read and every partition's end offset was reached.
     *
     * @param ctx     of the reading client.
     * @param timeout most to read for.
     */
    void drain(final ClientContext ctx, final Duration timeout)
    {
        final String drainer = name + "-drain#" + consumerIncarnations.incrementAndGet();
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final Map<Integer, Long> next = new HashMap<>();
        try (Consumer consumer = Consumer.connect(ctx, new Consumer.Config()
            .autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            final List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                tps.add(new TopicPartition(topic, p));
            }
            final Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            while (!reached(next, end) && System.nanoTime() - deadlineNs < 0)
            {
                for (final ConsumerRecord r : consumer.poll(Duration.ofMillis(20)))
                {
                    history.read(drainer, r.partition(), r.offset(), Records.text(r.value()));
                    next.put(r.partition(), r.offset() + 1);
                }
            }
        }
    }

    private String threadDump()
    {
        final StringBuilder dump = new StringBuilder();
        for (final Thread thread : threads)
        {
            dump.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
            for (final StackTraceElement frame : thread.getStackTrace())
            {
                dump.append("    at ").append(frame).append('\n');
            }
        }
        return dump.toString();
    }

    /** @return errors the clients met (each was replaced), for a failure message. */
    List<String> failures()
    {
        synchronized (failures)
        {
            return failures.stream().skip(Math.max(0, failures.size() - 5)).map(String::valueOf).toList();
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        stop();
    }

    private static boolean reached(final Map<Integer, Long> next, final Map<TopicPartition, Long> end)
    {
        return end.entrySet().stream().allMatch((e) -> next.getOrDefault(e.getKey().partition(), 0L) >= e.getValue());
    }

    private Thread thread(final String threadName, final Runnable body)
    {
        final Thread thread = new Thread(body, "workload-" + threadName);
        thread.setDaemon(true);
        return thread;
    }

    private void produce(final String producer)
    {
        long sequence = 0;
        int incarnation = 0;
        while (running)
        {
            final String producerName = producer + "#" + (++incarnation);
            final AtomicInteger inFlight = new AtomicInteger();
            final List<String> unanswered = new ArrayList<>();
            try (Producer client = Producer.connect(clients.get(), producerConfig))
            {
                producers.add(client);
                long nextSendNs = System.nanoTime();
                while (running)
                {
                    if (System.nanoTime() - nextSendNs >= 0 && inFlight.get() < MAX_IN_FLIGHT)
                    {
                        nextSendNs += sendIntervalNs;
                        final String value = producer + "-" + sequence;
                        final int partition = (int)(sequence++ % partitions);
                        history.invoke(producerName, value);
                        unanswered.add(value);
                        inFlight.incrementAndGet();
                        final AtomicInteger partitionUnanswered =
                            unansweredByPartition.computeIfAbsent(partition, (p) -> new AtomicInteger());
                        partitionUnanswered.incrementAndGet();
                        client.send(new ProducerRecord(topic, partition, -1, null, Records.bytes(value), List.of()))
                            .whenComplete((md, error) ->
                            {
                                inFlight.decrementAndGet();
                                partitionUnanswered.decrementAndGet();
                                unanswered.remove(value);
                                if (null == error)
                                {
                                    history.ack(value, md.partition(), md.offset());
                                }
                                else
                                {
                                    outcome(value, error);
                                }
                            });
                    }
                    client.poll();
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                }
                client.flush();
                producers.remove(client);
            }
            catch (final RuntimeException ex)
            {
                recordFailure(ex);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RECONNECT_BACK_OFF_MS));
            }
            for (final String value : List.copyOf(unanswered))
            {
                history.unknown(value, "no answer before its producer closed");
            }
        }
    }

    private void outcome(final String value, final Throwable error)
    {
        final Throwable cause = error instanceof CompletionException || error instanceof ExecutionException ?
            error.getCause() : error;
        if (cause instanceof AerologException && DEFINITE_FAILURES.contains(((AerologException)cause).code().name()))
        {
            history.fail(value, String.valueOf(cause));
        }
        else
        {
            history.unknown(value, String.valueOf(cause));
        }
    }

    private void consumeLive()
    {
        final Map<Integer, Long> next = new HashMap<>();
        while (running)
        {
            final String consumerName = name + "-consumer#" + consumerIncarnations.incrementAndGet();
            try (Consumer consumer = Consumer.connect(clients.get(), new Consumer.Config()
                .autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
            {
                consumer.assignAll(topic);
                // A new incarnation resumes after the last record read, as a consumer resumes from its position.
                next.forEach((p, offset) -> consumer.seek(new TopicPartition(topic, p), offset));
                while (running)
                {
                    for (final ConsumerRecord r : consumer.poll(Duration.ofMillis(20)))
                    {
                        history.read(consumerName, r.partition(), r.offset(), Records.text(r.value()));
                        next.put(r.partition(), r.offset() + 1);
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                recordFailure(ex);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RECONNECT_BACK_OFF_MS));
            }
        }
    }

    private void recordFailure(final Throwable ex)
    {
        synchronized (failures)
        {
            failures.add(ex);
        }
    }
}
