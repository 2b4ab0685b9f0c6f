package io.aerolog.cli;

import io.aerolog.node.PortBases;
import io.aerolog.testsupport.ChildProcess;
import io.aerolog.transport.Wire;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code aerolog local-cluster} as a user runs it: three nodes start, each broker's address and a ready line are
 * printed, and SIGTERM (as Ctrl-C) stops every node's JVM cleanly, leaving none behind.
 */
class LocalClusterCommandTest
{
    private static final Pattern BROKER_LINE = Pattern.compile("broker (\\d): localhost:(\\d+) \\(pid (\\d+),.*");

    // Under target/: the nodes' outputs stay there for a look when the test fails.
    private final File dir = new File("target/local-cluster-test/" + System.nanoTime()).getAbsoluteFile();
    private final String aeronDir = (new File("/dev/shm").isDirectory() ? "/dev/shm" : dir.getAbsolutePath()) +
        "/aerolog-local-cluster-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private final List<Long> nodePids = new ArrayList<>();

    @AfterEach
    void cleanUp()
    {
        for (final long pid : nodePids)
        {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (int id = 0; id < 3; id++)
        {
            IoUtil.delete(new File(aeronDir + "-node-" + id), true);
        }
    }

    @Test
    @Timeout(180)
    void shouldStartThreeNodesPrintTheirAddressesAndStopThemAllOnSigterm() throws Exception
    {
        final int portBase = PortBases.find("localhost");
        final List<String> jvmArgs = new ArrayList<>(ChildProcess.aeronJvmArgs("256m"));
        jvmArgs.add("-D" + Wire.AERON_DIR_PROP_NAME + "=" + aeronDir);
        try (ChildProcess cli = ChildProcess.java(AerologCli.class)
            .jvmArgs(jvmArgs)
            .args("local-cluster", "--brokers", "3", "--port-base", Integer.toString(portBase), "--data-dir",
                dir.getPath(), "--heap", "384m")
            .killOnClose()
            .start())
        {
            cli.awaitLine((line) -> line.startsWith(LocalClusterCommand.READY_PREFIX), "the ready line",
                Duration.ofSeconds(150));
            for (final String line : cli.lines())
            {
                final Matcher m = BROKER_LINE.matcher(line);
                if (m.matches())
                {
                    assertThat(Integer.parseInt(m.group(2)))
                        .isEqualTo(portBase + LocalClusterCommand.PORT_STRIDE * Integer.parseInt(m.group(1)));
                    nodePids.add(Long.parseLong(m.group(3)));
                }
            }
            assertThat(nodePids).as(cli.output()).hasSize(3);
            assertThat(nodePids).allSatisfy((pid) -> assertThat(ProcessHandle.of(pid)).isPresent());
            assertThat(cli.lastLine(LocalClusterCommand.READY_PREFIX)).contains("--bootstrap localhost:" + portBase +
                ",localhost:" + (portBase + 10) + ",localhost:" + (portBase + 20));
            assertThat(new File(dir, "node.secret")).exists();

            final int exit = cli.stop(); // SIGTERM, as Ctrl-C
            assertThat(exit).as(cli.output()).isIn(0, 143);
            assertThat(cli.lines()).contains("stopped");
            for (final long pid : nodePids)
            {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("node pid %d left running", pid).isFalse();
            }
            for (int id = 0; id < 3; id++)
            {
                final String nodeOutput = java.nio.file.Files.readString(new File(dir, "node-" + id + ".log").toPath());
                assertThat(nodeOutput).contains("READY", "stopping broker: 0 errors");
            }
        }
    }
}
