package io.aerolog.systemtest;

import io.aerolog.broker.Broker;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;
import java.time.Duration;

/**
 * Runs a test broker in a JVM of its own so a test can kill it: args are the test directory (holding data/ and
 * aeron/) and the port base. Prints {@code READY} once the broker serves, then runs until signalled or killed.
 */
public final class BrokerProcess
{
    /** Printed on stdout once the broker serves. */
    static final String READY = "READY";

    private BrokerProcess()
    {
    }

    /**
     * Starts a broker in a child JVM and waits until it serves.
     *
     * @param dir      test directory holding data/ and aeron/ (and the child's output).
     * @param portBase of the broker.
     * @return the child.
     */
    static ChildProcess start(final File dir, final int portBase)
    {
        final File output = new File(dir, "broker-" + System.nanoTime() + ".log");
        final ChildProcess child = ChildProcess.start(
            output, BrokerProcess.class, dir.getAbsolutePath(), Integer.toString(portBase));
        try
        {
            child.awaitLine(READY, Duration.ofSeconds(60));
            return child;
        }
        catch (final RuntimeException | Error ex)
        {
            child.destroy();
            throw ex;
        }
    }

    /**
     * @param args test directory, port base.
     */
    public static void main(final String[] args)
    {
        final Broker.Context ctx = TestBroker.defaults(new File(args[0]), Integer.parseInt(args[1]));
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            Broker broker = Broker.launch(ctx))
        {
            System.out.println(READY);
            System.out.flush();
            barrier.await();
            System.out.println("errors=" + broker.errorCount());
        }
    }
}
