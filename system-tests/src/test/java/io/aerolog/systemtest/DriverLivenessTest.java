package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.ClientContext;
import io.aerolog.codecs.wire.ErrorCode;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.AgentInvoker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How an IPC client tells "no broker on this host" from "a broker whose driver is briefly busy": a driver that
 * shares its thread with the archive can miss heartbeats for a few seconds while a disk is busy, and is alive.
 */
class DriverLivenessTest
{
    @TempDir
    File dir;

    @Test
    void shouldTreatADriverThatMissedHeartbeatsForSecondsAsLive() throws Exception
    {
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getPath())
            .threadingMode(ThreadingMode.INVOKER)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)))
        {
            final AgentInvoker invoker = driver.sharedAgentInvoker();
            invoker.invoke();
            Thread.sleep(3_000); // the driver's heartbeat is now 3 s old, as in a stall of its thread

            final AtomicBoolean running = new AtomicBoolean(true);
            final Thread driverThread = new Thread(() ->
            {
                sleepUninterruptibly(300); // the client looks while the driver is still stalled
                while (running.get())
                {
                    invoker.invoke();
                    Thread.onSpinWait();
                }
            });
            driverThread.start();
            try
            {
                // No broker listens on this driver, so the connect must time out waiting for one, not claim that
                // no driver runs here.
                assertThatThrownBy(() -> Admin.connect(new ClientContext()
                    .aeronDirectoryName(driver.aeronDirectoryName()).connectTimeoutMs(500)).close())
                    .isInstanceOfSatisfying(AerologException.class, (ex) ->
                        assertThat(ex.getMessage()).doesNotContain("no live media driver"));
            }
            finally
            {
                running.set(false);
                driverThread.join();
            }
        }
    }

    private static void sleepUninterruptibly(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldSayNoBrokerRunsWhenTheDirectoryHasNoDriver()
    {
        assertThatThrownBy(() -> Admin.connect(new ClientContext()
            .aeronDirectoryName(new File(dir, "nothing-here").getPath()).connectTimeoutMs(500)).close())
            .isInstanceOfSatisfying(AerologException.class, (ex) ->
            {
                assertThat(ex.code()).isEqualTo(ErrorCode.BROKER_NOT_AVAILABLE);
                assertThat(ex.getMessage()).contains("no live media driver");
            });
    }
}
