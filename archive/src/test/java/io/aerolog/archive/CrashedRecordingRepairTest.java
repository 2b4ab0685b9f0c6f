package io.aerolog.archive;

import io.aerolog.cluster.ControllerNode;
import io.aerolog.node.NodeDirectories;
import io.aeron.archive.Archive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.archive.client.RecordingDescriptorConsumer;
import io.aeron.driver.MediaDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node killed while its last recorded frame straddles a page boundary with a zero tail starts again, with the
 * recording whole: Aeron Archive on its own refuses to start there.
 */
class CrashedRecordingRepairTest
{
    @TempDir
    Path dir;

    @Test
    void nodeStartsAfterACrashLeftAStraddlingLastFragmentAndKeepsTheWholeRecording() throws Exception
    {
        crashWhileRecording();

        // Unrepaired, the archive refuses to start: without that this test would prove nothing.
        final File archiveDir = dir.resolve("node-1").resolve(ControllerNode.ARCHIVE_DIR_NAME).toFile();
        NodeDirectories.releaseMarkFilesOfDeadProcesses(archiveDir, dir.resolve("node-1").resolve(ControllerNode.CLUSTER_DIR_NAME).toFile());
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir.resolve("plain-aeron").toString())
            .dirDeleteOnShutdown(true)))
        {
            assertThatThrownBy(() -> Archive.launch(new Archive.Context()
                .archiveDir(archiveDir)
                .aeronDirectoryName(driver.aeronDirectoryName())
                .controlChannelEnabled(false)
                .replicationChannel("aeron:udp?endpoint=localhost:0")))
                .isInstanceOf(ArchiveException.class)
                .hasMessageContaining("straddling page boundary");
        }

        try (ReplicaNode node = ReplicaNode.launch(dir, 1))
        {
            final List<long[]> recordings = new ArrayList<>();
            final RecordingDescriptorConsumer collect = (controlSessionId, correlationId, recordingId,
                startTimestamp, stopTimestamp, startPosition, stopPosition, initialTermId, segmentFileLength,
                termBufferLength, mtuLength, sessionId, streamId, strippedChannel, originalChannel, sourceIdentity) ->
                recordings.add(new long[]{ recordingId, startPosition, stopPosition });
            node.archive.listRecordingsForUri(0, 10, "aeron:ipc", CrashingRecorder.STREAM_ID, collect);

            assertThat(recordings).hasSize(1);
            assertThat(recordings.get(0)[1]).isZero();
            assertThat(recordings.get(0)[2]).isEqualTo(CrashingRecorder.END_POSITION);
        }
    }

    private void crashWhileRecording() throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin" + File.separator + "java").getAbsolutePath());
        for (final String opened : new String[]{ "jdk.internal.misc", "java.nio", "sun.nio.ch" })
        {
            command.add("--add-opens");
            command.add("java.base/" + opened + "=ALL-UNNAMED");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashingRecorder.class.getName());
        command.add(dir.toString());
        final File output = dir.resolve("recorder.out").toFile();
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(output)).start();
        try
        {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("recorder finished").isTrue();
        }
        finally
        {
            process.destroyForcibly();
        }
        assertThat(Files.readString(output.toPath(), StandardCharsets.UTF_8))
            .contains("recorded " + CrashingRecorder.END_POSITION);
    }
}
