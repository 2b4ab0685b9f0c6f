package io.aerolog.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The outcome of a convenience {@link Producer#send(ProducerRecord)}. The producer has no background thread, so
 * waiting on this future drives the producer's I/O until the record is acknowledged; call it from the thread that
 * uses the producer.
 */
final class SendFuture extends CompletableFuture<RecordMetadata>
{
    private final Producer producer;

    SendFuture(final Producer producer)
    {
        this.producer = producer;
    }

    @Override
    public RecordMetadata get() throws InterruptedException, ExecutionException
    {
        while (!isDone())
        {
            drive();
        }
        return super.get();
    }

    @Override
    public RecordMetadata get(final long timeout, final TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        while (!isDone())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new TimeoutException("record not acknowledged within " + timeout + " " + unit);
            }
            drive();
        }
        return super.get();
    }

    @Override
    public RecordMetadata join()
    {
        while (!isDone())
        {
            drive();
        }
        return super.join();
    }

    private void drive()
    {
        producer.sealAll();
        if (0 == producer.poll())
        {
            Thread.onSpinWait();
        }
    }
}
