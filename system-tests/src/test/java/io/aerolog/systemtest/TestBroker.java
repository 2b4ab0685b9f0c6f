package io.aerolog.systemtest;

import io.aerolog.broker.Broker;
import io.aerolog.client.Admin;
import io.aerolog.client.ClientContext;
import io.aerolog.node.NodeErrorLog;
import io.aerolog.testsupport.BrokerProcess;
import io.aerolog.testsupport.ChildProcess;

import java.io.File;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker for a test: its own data directory, Aeron directory and port range, small log terms and segments by
 * default, and a restart on the same directories and ports.
 */
final class TestBroker implements AutoCloseable
{
    static final int TERM_LENGTH = 64 * 1024;
    static final int SEGMENT_LENGTH = 256 * 1024;
    static final long REQUEST_TIMEOUT_MS = 10_000;

    private final File dir;
    private final int portBase;
    private final UnaryOperator<Broker.Context> settings;
    private Broker broker;
    private final EnumSet<NodeErrorLog.Source> expectedErrorSources = EnumSet.noneOf(NodeErrorLog.Source.class);
    private java.util.function.Predicate<String> toleratedErrors;

    private TestBroker(final File dir, final int portBase, final UnaryOperator<Broker.Context> settings)
    {
        this.dir = dir;
        this.portBase = portBase;
        this.settings = settings;
    }

    /**
     * Launches a broker with small terms and segments.
     *
     * @param dir a directory of the test's own.
     * @return the running broker.
     */
    static TestBroker launch(final File dir)
    {
        return launch(dir, UnaryOperator.identity());
    }

    /**
     * Launches a broker.
     *
     * @param dir      a directory of the test's own.
     * @param settings changes to the test defaults.
     * @return the running broker.
     */
    static TestBroker launch(final File dir, final UnaryOperator<Broker.Context> settings)
    {
        return launch(dir, Ports.nextPortBase(), settings);
    }

    /**
     * Launches a broker on given ports, e.g. on the directories of one that ran in another process.
     *
     * @param dir      a directory of the test's own.
     * @param portBase of the broker.
     * @param settings changes to the test defaults.
     * @return the running broker.
     */
    static TestBroker launch(final File dir, final int portBase, final UnaryOperator<Broker.Context> settings)
    {
        final TestBroker testBroker = new TestBroker(dir, portBase, settings);
        testBroker.start();
        return testBroker;
    }

    /**
     * The defaults every test broker starts from.
     *
     * @param dir      holds data/ and aeron/.
     * @param portBase of the broker.
     * @return settings.
     */
    static Broker.Context defaults(final File dir, final int portBase)
    {
        return Broker.Context.fromProperties(defaultSettings(dir, portBase));
    }

    /**
     * The defaults every test broker starts from, as broker config keys (for a broker in a child JVM).
     *
     * @param dir      holds data/ and aeron/.
     * @param portBase of the broker.
     * @return settings.
     */
    static Properties defaultSettings(final File dir, final int portBase)
    {
        final Properties settings = new Properties();
        settings.setProperty("data.dir", new File(dir, "data").getAbsolutePath());
        settings.setProperty("aeron.dir", aeronDirFor(dir));
        settings.setProperty("port.base", Integer.toString(portBase));
        settings.setProperty("log.term.length", Integer.toString(TERM_LENGTH));
        settings.setProperty("log.segment.length", Integer.toString(SEGMENT_LENGTH));
        return settings;
    }

    /**
     * Starts a test broker in a JVM of its own (so a test can kill it) and waits until it serves. Its output goes to
     * a file in {@code dir}; closing the child kills it.
     *
     * @param dir      test directory holding data/ and aeron/.
     * @param portBase of the broker.
     * @return the child.
     */
    static ChildProcess launchInChildProcess(final File dir, final int portBase)
    {
        return BrokerProcess.start(BrokerProcess.child(defaultSettings(dir, portBase))
            .outputFile(new File(dir, "broker-" + System.nanoTime() + ".log"))
            .killOnClose(), Duration.ofSeconds(60));
    }

    /**
     * Aeron's log buffers go in memory (/dev/shm) as in production: on a busy disk, mapping them can stall a media
     * driver past its keep-alive. Stable for a given data dir, so a restarted broker reuses it.
     *
     * @param dir the test's directory.
     * @return the Aeron directory name.
     */
    static String aeronDirFor(final File dir)
    {
        return new File("/dev/shm").isDirectory() ?
            "/dev/shm/aerolog-test-" + Integer.toHexString(dir.getAbsolutePath().hashCode()) :
            new File(dir, "aeron").getAbsolutePath();
    }

    private void start()
    {
        final Broker.Context ctx = settings.apply(defaults(dir, portBase));
        // A broker that ran on these directories in another process (and was killed) left its error log here.
        final File leftBehind = new File(ctx.dataDir(), NodeErrorLog.FILENAME);
        if (leftBehind.exists())
        {
            assertNoUnexpectedErrors(leftBehind);
        }
        broker = Broker.launch(ctx);
    }

    /** Stops the broker cleanly and launches a new one on the same directories and ports. */
    void restart()
    {
        stop();
        start();
    }

    /**
     * Stops the broker (idempotent), then fails the test if any part of the node (driver, archive, controller,
     * broker) logged an error while it ran, unless the test said it expects some.
     */
    void stop()
    {
        if (null != broker)
        {
            final File errorLogFile = broker.errorLogFile();
            broker.close();
            broker = null;
            assertNoUnexpectedErrors(errorLogFile);
        }
    }

    private void assertNoUnexpectedErrors(final File errorLogFile)
    {
        assertNoUnexpectedErrors(errorLogFile, expectedErrorSources, toleratedErrors);
    }

    /**
     * Fails if a node's error log holds an error other than those of the given parts or of the tolerated kind.
     *
     * @param errorLogFile    the node's.
     * @param expectedSources parts whose errors are expected.
     * @param toleratedErrors says whether a distinct error's text is of an expected kind, or null for none.
     */
    static void assertNoUnexpectedErrors(
        final File errorLogFile,
        final java.util.Set<NodeErrorLog.Source> expectedSources,
        final java.util.function.Predicate<String> toleratedErrors)
    {
        final java.util.Set<NodeErrorLog.Source> expectedErrorSources = expectedSources;
        final NodeErrorLog.Report report = NodeErrorLog.read(errorLogFile);
        final long unexpected = report.counts().entrySet().stream()
            .filter((e) -> !expectedErrorSources.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
        // Errors of a kind the test provokes on purpose, and warnings, are no surprise; any other error is.
        final boolean onlyTolerated = null != toleratedErrors && report.errorTexts().stream()
            .allMatch((text) -> text.contains(" WARN - ") || toleratedErrors.test(text));
        if (unexpected > 0 && !onlyTolerated)
        {
            throw new AssertionError("the node (process " + report.pid() + ") logged errors " + report.counts() +
                ":\n" + report.errors());
        }
    }

    /**
     * For a test that provokes errors in parts of the node on purpose: stopping the broker no longer fails on
     * errors of those parts (it still does on any other's).
     *
     * @param sources the parts expected to log errors.
     * @return this.
     */
    TestBroker expectNodeErrors(final NodeErrorLog.Source... sources)
    {
        expectedErrorSources.addAll(List.of(sources));
        return this;
    }

    /**
     * For a test whose input makes a part of the node log errors of a known kind (e.g. Aeron refusing a channel a
     * hostile frame named): stopping the broker fails only if some logged error is not of that kind.
     *
     * @param tolerated says whether a distinct error's text (its stack trace) is of the expected kind.
     * @return this.
     */
    TestBroker tolerateNodeErrors(final java.util.function.Predicate<String> tolerated)
    {
        this.toleratedErrors = tolerated;
        return this;
    }

    Broker broker()
    {
        return broker;
    }

    int portBase()
    {
        return portBase;
    }

    File dir()
    {
        return dir;
    }

    /** @return a client context over IPC through the broker's media driver. */
    ClientContext ipc()
    {
        return broker.clientContext().requestTimeoutMs(REQUEST_TIMEOUT_MS);
    }

    /** @return a client context over UDP through a client-side media driver. */
    ClientContext udp()
    {
        return broker.udpClientContext().requestTimeoutMs(REQUEST_TIMEOUT_MS);
    }

    /**
     * Creates a topic that keeps everything.
     *
     * @param name       of the topic.
     * @param partitions how many.
     */
    void createTopic(final String name, final int partitions)
    {
        try (Admin admin = Admin.connect(ipc()))
        {
            admin.createTopic(name, partitions);
        }
    }

    /** Fails the test if the broker's agents met an error. */
    void assertNoErrors()
    {
        final Throwable first = broker.firstError();
        assertThat(broker.errorCount())
            .withFailMessage(() -> "broker errors: " + broker.errorCount() + ", first: " + stackTrace(first))
            .isZero();
    }

    private static String stackTrace(final Throwable throwable)
    {
        if (null == throwable)
        {
            return "none";
        }
        final java.io.StringWriter out = new java.io.StringWriter();
        throwable.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    @Override
    public void close()
    {
        stop();
    }
}
