package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.ClientContext;
import io.aerolog.testsupport.BrokerProcess;
import io.aerolog.testsupport.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that connects while a broker is still starting is answered once the broker is ready, not left to time
 * out.
 */
class StartupTest
{
    @TempDir
    File dir;

    @Test
    void aClientConnectingDuringStartUpIsAnsweredOnceTheBrokerIsReady() throws Exception
    {
        final int portBase = Ports.nextPortBase();
        final ClientContext udp = new ClientContext().bootstrap("localhost:" + portBase).clientHost("localhost")
            .connectTimeoutMs(30_000).requestTimeoutMs(30_000);
        try (ChildProcess child = BrokerProcess.child(TestBroker.defaultSettings(dir, portBase))
            .outputFile(new File(dir, "broker.log")).killOnClose().start())
        {
            // Asks before the broker has even bound its ports.
            final CompletableFuture<Long> connectedAtNs = CompletableFuture.supplyAsync(() ->
            {
                try (Admin admin = Admin.connect(udp))
                {
                    admin.listTopics();
                    return System.nanoTime();
                }
            });
            child.awaitLine(BrokerProcess.READY, Duration.ofSeconds(60));
            final long readyAtNs = System.nanoTime();
            final long answeredAtNs = connectedAtNs.get(30, TimeUnit.SECONDS);
            // Once ready, the waiting connect is served at once (a lost one would wait out a retry or a timeout).
            assertThat(TimeUnit.NANOSECONDS.toMillis(answeredAtNs - readyAtNs)).isLessThan(5_000);
        }
    }
}
