package io.aerolog.systemtest;

import io.aerolog.broker.Broker;
import io.aerolog.client.AerologException;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.testsupport.ChildProcess;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.aerolog.systemtest.Records.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Clients that die and a broker that goes away: everyone else is served on, and clients get a clear error in
 * bounded time instead of hanging.
 */
class FaultTest
{
    @TempDir
    File dir;

    @Test
    void shouldServeOthersAndExpireSessionsOfClientsThatDie() throws Exception
    {
        try (TestBroker broker = TestBroker.launch(dir, (ctx) -> ctx.sessionTimeoutMs(1_000)))
        {
            final String topic = "shared";
            broker.createTopic(topic, 1);
            final String aeronDir = broker.broker().context().aeronDirectoryName();
            try (ChildProcess doomedProducer = ClientProcess.start(dir, "produce", aeronDir, topic);
                ChildProcess doomedConsumer = ClientProcess.start(dir, "consume", aeronDir, topic);
                Producer healthyProducer = Producer.connect(broker.ipc(), new Producer.Config());
                Consumer healthyConsumer = Consumer.connect(broker.ipc(),
                    new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
            {
                healthyConsumer.assignAll(topic);
                final List<ConsumerRecord> seen = new ArrayList<>();
                final long connectedNs = System.nanoTime();
                while (4 != broker.broker().clientSessions()) // a client that stalled may briefly have two
                {
                    assertThat(Records.millisSince(connectedNs)).as("four sessions").isLessThan(5_000);
                    seen.addAll(healthyConsumer.poll(Duration.ofMillis(10)));
                    healthyProducer.poll();
                }
                healthyProducer.send(new ProducerRecord(topic, 0, -1, null, bytes("during"), List.of())).get();

                doomedProducer.kill();
                doomedConsumer.kill();

                // their sessions expire once their heartbeats stop; the healthy pair is served throughout
                final long startNs = System.nanoTime();
                int sent = 1;
                while (broker.broker().clientSessions() > 2)
                {
                    assertThat(Records.millisSince(startNs)).as("sessions of dead clients expired").isLessThan(10_000);
                    healthyProducer.send(new ProducerRecord(topic, 0, -1, null, bytes("after"), List.of())).get();
                    sent++;
                    seen.addAll(healthyConsumer.poll(Duration.ofMillis(20)));
                }
                assertThat(broker.broker().clientSessions()).isEqualTo(2);
                healthyProducer.send(new ProducerRecord(topic, 0, -1, null, bytes("last"), List.of())).get();
                sent++;

                final TopicPartition tp = new TopicPartition(topic, 0);
                final long end = healthyConsumer.endOffsets(List.of(tp)).get(tp);
                seen.addAll(Records.consumeExactly(healthyConsumer, (int)(end - seen.size())));
                Records.assertDense(seen, 0);
                assertThat(seen.stream().filter((r) -> !Records.text(r.value()).startsWith("doomed-")).count())
                    .isEqualTo(sent);
                assertThat(Records.text(seen.get(seen.size() - 1).value())).isEqualTo("last");
            }
            broker.assertNoErrors();
        }
    }

    @Test
    void shouldGiveClientsAClearErrorWhenTheBrokerStops() throws Exception
    {
        final TestBroker broker = TestBroker.launch(dir);
        final List<AutoCloseable> clients = new ArrayList<>();
        try
        {
            final String topic = "orphaned";
            broker.createTopic(topic, 1);
            final List<Producer> producers = new ArrayList<>();
            final List<Consumer> consumers = new ArrayList<>();
            for (final Transport transport : Transport.values())
            {
                final ClientContext ctx = transport.context(broker).requestTimeoutMs(500).connectTimeoutMs(2_000);
                final Producer producer = Producer.connect(ctx, new Producer.Config().deliveryTimeoutMs(2_000));
                clients.add(producer);
                producers.add(producer);
                assertThat(producer.send(topic, null, bytes("before")).get().offset()).isNotNegative();
                final Consumer consumer = Consumer.connect(ctx,
                    new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST));
                clients.add(consumer);
                consumers.add(consumer);
                consumer.assignAll(topic);
                assertThat(Records.consume(consumer, 1)).isNotEmpty();
            }

            final Broker stopped = broker.broker();
            broker.stop();
            assertThat(stopped.errorCount()).as("errors: %s", stopped.firstError()).isZero();

            for (final Producer producer : producers)
            {
                assertClearErrorInBoundedTime(
                    () -> producer.send(topic, null, bytes("lost")).get(30, TimeUnit.SECONDS));
                // Send and flush say what is wrong, or, as Kafka's flush, return once the record is done with and
                // leave its future to say it.
                final List<CompletableFuture<RecordMetadata>> lostToo = new ArrayList<>();
                final long startNs = System.nanoTime();
                final Throwable sendError = catchThrowable(() ->
                {
                    lostToo.add(producer.send(topic, null, bytes("lost too")));
                    producer.flush();
                });
                assertThat(Records.millisSince(startNs)).as("time to send and flush").isLessThan(10_000);
                if (null != sendError)
                {
                    assertClearError(sendError);
                }
                else
                {
                    assertClearErrorInBoundedTime(() -> lostToo.get(0).get(30, TimeUnit.SECONDS));
                }
            }
            for (final Consumer consumer : consumers)
            {
                final TopicPartition tp = new TopicPartition(topic, 0);
                assertClearErrorInBoundedTime(() -> consumer.endOffsets(List.of(tp)));
                // polling does not hang: it returns (nothing) or says what is wrong
                final long startNs = System.nanoTime();
                final Throwable pollError = catchThrowable(() -> consumer.poll(Duration.ofMillis(300)));
                assertThat(Records.millisSince(startNs)).isLessThan(10_000);
                if (null != pollError)
                {
                    assertClearError(pollError);
                }
            }
        }
        finally
        {
            for (final AutoCloseable client : clients)
            {
                final long startNs = System.nanoTime();
                final Throwable closeError = catchThrowable(client::close);
                assertThat(Records.millisSince(startNs)).as("closing " + client).isLessThan(10_000);
                if (null != closeError)
                {
                    assertClearError(closeError);
                }
            }
            broker.close();
        }
    }

    private static void assertClearErrorInBoundedTime(final ThrowingCallable call)
    {
        final long startNs = System.nanoTime();
        final Throwable error = catchThrowable(call);
        assertThat(Records.millisSince(startNs)).as("time to fail").isLessThan(10_000);
        assertClearError(error);
    }

    private static void assertClearError(final Throwable error)
    {
        final Throwable cause = error instanceof ExecutionException ? error.getCause() : error;
        assertThat(cause).as("error").isInstanceOf(AerologException.class);
        assertThat(((AerologException)cause).code()).as(cause.getMessage())
            .isIn(ErrorCode.BROKER_NOT_AVAILABLE, ErrorCode.REQUEST_TIMED_OUT);
    }
}
