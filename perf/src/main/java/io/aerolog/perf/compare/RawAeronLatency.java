package io.aerolog.perf.compare;

import io.aerolog.perf.latency.LatencyHistograms;
import io.aerolog.node.PortBases;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The raw Aeron baseline of {@code perf compare}: the same fixed-rate, open-loop load as the Aerolog run, on a bare
 * Aeron publication and subscription: no broker, no archive, no acknowledgement, no batching, no record format.
 * What it measures is one-way latency from each message's intended send time (carried in its first 8 bytes, as in
 * the Aerolog run, so a stalled {@code offer} counts against every message due during the stall) to the moment the
 * subscriber's fragment handler sees it.
 * <ul>
 *     <li>{@code ipc}: one embedded media driver; the publisher and the subscriber are two Aeron clients of it on
 *     {@code aeron:ipc}. The message goes through the shared log buffer; no driver thread is on the path.</li>
 *     <li>{@code udp}: two embedded media drivers with their own Aeron directories, the publisher's client on one
 *     and the subscriber's on the other, on unicast {@code aeron:udp?endpoint=localhost:PORT}: the message goes
 *     publisher, sender thread, loopback UDP, receiver thread, subscriber, as it does between an Aerolog client
 *     and a broker in another JVM (here both drivers live in this JVM).</li>
 * </ul>
 * Both drivers run SHARED threading. With {@link Idle#BACKOFF} the drivers, the publisher and the subscriber back off
 * as an Aerolog client's driver, producer and consumer do, so the difference between the two runs is what Aerolog
 * adds on top of Aeron; with {@link Idle#YIELDING} every one of them yields, as an Aeron user would tune it on a
 * small machine (busy-spinning four threads on two cores starves them). There is no counterpart of produce-to-ack.
 */
final class RawAeronLatency
{
    /** How the drivers', publisher's and subscriber's threads wait when they have nothing to do. */
    enum Idle
    {
        /** Spin a little, yield a little, then park up to 20 µs: Agrona's {@link BackoffIdleStrategy}. */
        BACKOFF(() -> new BackoffIdleStrategy(
            10, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(20))),
        /** {@link Thread#yield()} whenever idle: Agrona's {@link YieldingIdleStrategy}. */
        YIELDING(() -> YieldingIdleStrategy.INSTANCE);

        private final Supplier<IdleStrategy> strategy;

        Idle(final Supplier<IdleStrategy> strategy)
        {
            this.strategy = strategy;
        }

        IdleStrategy newStrategy()
        {
            return strategy.get();
        }

        /** @return the name as the command line takes it. */
        String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final int STREAM_ID = 1001;
    private static final int FRAGMENT_LIMIT = 64;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long DRAIN_IDLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final String transport;
    private final Idle idle;
    private final int size;
    private final long rate;
    private final long warmupSeconds;
    private final long durationSeconds;
    private final Histogram histogram = LatencyHistograms.newHistogram();
    private long backPressured;
    private long adminActions;
    private long notConnected;
    private long sentCount;

    /**
     * @param transport       {@code ipc} or {@code udp}.
     * @param idle            how every thread of the run waits.
     * @param size            message bytes, at least 8.
     * @param rate            messages per second.
     * @param warmupSeconds   of load before measuring.
     * @param durationSeconds measured.
     */
    RawAeronLatency(
        final String transport,
        final Idle idle,
        final int size,
        final long rate,
        final long warmupSeconds,
        final long durationSeconds)
    {
        this.transport = transport;
        this.idle = idle;
        this.size = size;
        this.rate = rate;
        this.warmupSeconds = warmupSeconds;
        this.durationSeconds = durationSeconds;
    }

    /**
     * Starts the driver(s), runs the load, prints what was sent and received, and closes everything.
     *
     * @param out for progress lines.
     * @return null on success, else why the run failed.
     * @throws InterruptedException if interrupted.
     */
    String run(final PrintWriter out) throws InterruptedException
    {
        final boolean udp = "udp".equals(transport);
        final String base = "/dev/shm/aerolog-perf-raw-" + ProcessHandle.current().pid() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
        final String channel = udp ? "aeron:udp?endpoint=localhost:" + PortBases.find("localhost") : "aeron:ipc";
        MediaDriver pubDriver = null;
        MediaDriver subDriver = null;
        Aeron pubAeron = null;
        Aeron subAeron = null;
        try
        {
            pubDriver = MediaDriver.launchEmbedded(driverContext(base + "-pub"));
            subDriver = udp ? MediaDriver.launchEmbedded(driverContext(base + "-sub")) : null;
            pubAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(pubDriver.aeronDirectoryName()));
            subAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(
                (udp ? subDriver : pubDriver).aeronDirectoryName()));
            final Subscription subscription = subAeron.addSubscription(channel, STREAM_ID);
            final Publication publication = pubAeron.addExclusivePublication(channel, STREAM_ID);
            out.println("raw aeron (" + idle.label() + "): " + channel +
                (udp ? ", publisher and subscriber on two media drivers" :
                ", publisher and subscriber on one media driver"));
            out.flush();
            return measure(publication, subscription, out);
        }
        finally
        {
            CloseHelper.closeAll(pubAeron, subAeron, pubDriver, subDriver);
        }
    }

    /**
     * @return one-way latencies in nanoseconds of the messages sent after the warmup.
     */
    Histogram histogram()
    {
        return histogram;
    }

    /**
     * @return how every thread of the run waits.
     */
    Idle idle()
    {
        return idle;
    }

    private MediaDriver.Context driverContext(final String dir)
    {
        return new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(Idle.BACKOFF == idle ? new BackoffIdleStrategy() : idle.newStrategy())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
    }

    private String measure(final Publication publication, final Subscription subscription, final PrintWriter out)
        throws InterruptedException
    {
        final long connectDeadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!publication.isConnected() || !subscription.isConnected())
        {
            if (System.nanoTime() > connectDeadlineNs)
            {
                return "raw aeron: publication and subscription did not connect within 10 s";
            }
            Thread.sleep(1);
        }

        final Receiver receiver = new Receiver(subscription, histogram, idle);
        final Thread receiverThread = new Thread(receiver, "aerolog-perf-raw-subscriber");
        receiverThread.setDaemon(true);
        final long total = rate * (warmupSeconds + durationSeconds);
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        receiver.measureFromNs = startNs + TimeUnit.SECONDS.toNanos(warmupSeconds);
        receiverThread.start();
        try
        {
            final String failure = send(publication, startNs, total);
            final long sendEndNs = System.nanoTime();
            final long sent = sentCount;
            long lastReceived = receiver.received;
            long lastProgressNs = System.nanoTime();
            while (receiver.received < sent && System.nanoTime() - lastProgressNs < DRAIN_IDLE_TIMEOUT_NS)
            {
                Thread.sleep(1);
                if (receiver.received != lastReceived)
                {
                    lastReceived = receiver.received;
                    lastProgressNs = System.nanoTime();
                }
            }
            receiver.running = false;
            receiverThread.join(TimeUnit.SECONDS.toMillis(10));

            final double seconds = (sendEndNs - startNs) / 1e9;
            out.println(String.format(Locale.ROOT,
                "raw aeron: sent %d messages in %.3f s: achieved %.0f/s (target %d); received %d; offer retries: " +
                "%d back-pressured, %d admin action, %d not connected",
                sent, seconds, sent / seconds, rate, receiver.received, backPressured, adminActions, notConnected));
            out.flush();
            if (null != failure)
            {
                return failure;
            }
            if (receiver.received != sent)
            {
                return "raw aeron: received " + receiver.received + " of " + sent + " messages";
            }
            return null;
        }
        finally
        {
            receiver.running = false;
            receiverThread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    private String send(final Publication publication, final long startNs, final long total)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        final IdleStrategy idleStrategy = idle.newStrategy();
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final int size = this.size;
        long nextSendNs = startNs;
        long sent = 0;
        long notConnectedSinceNs = 0;
        while (sent < total)
        {
            int work = 0;
            while (nextSendNs <= System.nanoTime() && sent < total)
            {
                buffer.putLong(0, nextSendNs, ByteOrder.LITTLE_ENDIAN);
                final long result = publication.offer(buffer, 0, size);
                if (result > 0)
                {
                    sent++;
                    nextSendNs += intervalNs;
                    notConnectedSinceNs = 0;
                    work++;
                    continue;
                }
                // Not sent: the message keeps its intended time, so the delay counts against it.
                if (Publication.BACK_PRESSURED == result)
                {
                    backPressured++;
                }
                else if (Publication.ADMIN_ACTION == result)
                {
                    adminActions++;
                }
                else if (Publication.NOT_CONNECTED == result)
                {
                    notConnected++;
                    final long nowNs = System.nanoTime();
                    if (0 == notConnectedSinceNs)
                    {
                        notConnectedSinceNs = nowNs;
                    }
                    else if (nowNs - notConnectedSinceNs > CONNECT_TIMEOUT_NS)
                    {
                        sentCount = sent;
                        return "raw aeron: the subscriber went away for more than 10 s";
                    }
                }
                else if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                {
                    sentCount = sent;
                    return "raw aeron: the publication cannot be used any more: " + Publication.errorString(result);
                }
                else
                {
                    sentCount = sent;
                    return "raw aeron: unexpected offer result: " + Publication.errorString(result);
                }
                break;
            }
            sentCount = sent;
            idleStrategy.idle(work);
        }
        sentCount = sent;
        return null;
    }

    /** Polls the subscription on its own thread and records each message's latency. */
    private static final class Receiver implements Runnable, FragmentHandler
    {
        private final Subscription subscription;
        private final Histogram histogram;
        private final Idle idle;
        private final FragmentAssembler assembler = new FragmentAssembler(this);
        volatile boolean running = true;
        volatile long received;
        volatile long measureFromNs;
        private long count;
        private long measureFrom;

        Receiver(final Subscription subscription, final Histogram histogram, final Idle idle)
        {
            this.subscription = subscription;
            this.histogram = histogram;
            this.idle = idle;
        }

        public void run()
        {
            measureFrom = measureFromNs;
            final IdleStrategy idleStrategy = Idle.BACKOFF == idle ? new BackoffIdleStrategy(
                100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(20)) : idle.newStrategy();
            while (running)
            {
                final int fragments = subscription.poll(assembler, FRAGMENT_LIMIT);
                if (fragments > 0)
                {
                    received = count;
                }
                idleStrategy.idle(fragments);
            }
            received = count;
        }

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            final long nowNs = System.nanoTime();
            count++;
            final long intendedNs = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
            if (intendedNs >= measureFrom)
            {
                LatencyHistograms.record(histogram, nowNs - intendedNs);
            }
        }
    }
}
