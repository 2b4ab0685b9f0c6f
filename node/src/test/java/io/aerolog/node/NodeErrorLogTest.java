package io.aerolog.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeErrorLogTest
{
    @TempDir
    File dir;

    @Test
    void countsEachSourceAndKeepsEachDistinctErrorOnce() throws Exception
    {
        try (NodeErrorLog log = NodeErrorLog.create(dir, 64 * 1024))
        {
            final IllegalStateException repeated = new IllegalStateException("archive went away");
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                final Thread thread = new Thread(() ->
                {
                    for (int i = 0; i < 1_000; i++)
                    {
                        log.handler(NodeErrorLog.Source.DRIVER).onError(repeated);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
            log.handler(NodeErrorLog.Source.BROKER).onError(new IllegalArgumentException("bad request"));

            assertThat(log.count(NodeErrorLog.Source.DRIVER)).isEqualTo(4_000);
            assertThat(log.count(NodeErrorLog.Source.BROKER)).isEqualTo(1);
            assertThat(log.count(NodeErrorLog.Source.ARCHIVE)).isZero();

            final NodeErrorLog.Report report = NodeErrorLog.read(new File(dir, NodeErrorLog.FILENAME));
            assertThat(report.totalCount()).isEqualTo(4_001);
            assertThat(report.distinctErrors()).isEqualTo(2);
            assertThat(report.errors()).contains("4000 time(s)", "archive went away", "bad request");
            assertThat(report.pid()).isEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void aFloodOfWarningsIsCountedApartAndCannotPushErrorsOut()
    {
        try (NodeErrorLog log = NodeErrorLog.create(dir, NodeErrorLog.DEFAULT_ERROR_BUFFER_LENGTH))
        {
            for (int i = 0; i < 20_000; i++)
            {
                // distinct texts, as a fuzzer's frames give distinct schema ids
                log.handler(NodeErrorLog.Source.CONSENSUS_MODULE).onError(new io.aeron.exceptions.AeronException(
                    "expected schemaId=111, actual=" + i, io.aeron.exceptions.AeronException.Category.WARN));
            }
            log.handler(NodeErrorLog.Source.DRIVER).onError(new IllegalStateException("a real error"));

            assertThat(log.warningCount()).isEqualTo(20_000);
            assertThat(log.count(NodeErrorLog.Source.CONSENSUS_MODULE)).isZero();
            assertThat(log.totalCount()).isEqualTo(1);
            final NodeErrorLog.Report report = NodeErrorLog.read(new File(dir, NodeErrorLog.FILENAME));
            assertThat(report.warnings()).isEqualTo(20_000);
            assertThat(report.errors()).contains("a real error");
        }
    }

    @Test
    void aRestartKeepsThePreviousRunsErrors()
    {
        try (NodeErrorLog log = NodeErrorLog.create(dir, 64 * 1024))
        {
            log.handler(NodeErrorLog.Source.CONTROLLER).onError(new IllegalStateException("before the crash"));
        }
        try (NodeErrorLog log = NodeErrorLog.create(dir, 64 * 1024))
        {
            assertThat(log.totalCount()).isZero();
        }
        final NodeErrorLog.Report previous = NodeErrorLog.read(new File(dir, NodeErrorLog.PREVIOUS_FILENAME));
        assertThat(previous.counts()).containsEntry(NodeErrorLog.Source.CONTROLLER, 1L);
        assertThat(previous.errors()).contains("before the crash");
    }

    @Test
    void refusesWhatIsNotAnErrorLog() throws Exception
    {
        final File other = new File(dir, "other.dat");
        java.nio.file.Files.write(other.toPath(), new byte[1024]);
        assertThatThrownBy(() -> NodeErrorLog.read(other)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not a node error log");
        assertThatThrownBy(() -> NodeErrorLog.read(new File(dir, "missing.dat")))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeErrorLog.create(dir, 1001)).isInstanceOf(IllegalArgumentException.class);
    }
}
