package io.aerolog.testsupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real child JVMs running {@link Echo}: lines awaited, followed and read back, exit codes, and the ways to end one.
 */
class ChildProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    File dir;

    @Test
    void shouldHandEveryLineToTheListenerAndReturnTheExitCode() throws Exception
    {
        final List<String> seen = new CopyOnWriteArrayList<>();
        try (ChildProcess child = ChildProcess.java(Echo.class).args("exit", "3", "a", "b", "no-newline")
            .listener(seen::add).start())
        {
            assertThat(child.waitFor(TIMEOUT)).isEqualTo(3);
            assertThat(seen).containsExactly("a", "b", "no-newline"); // all seen once waitFor returns
            assertThat(child.lines()).containsExactly("a", "b", "no-newline");
            assertThat(child.lastLine("n")).isEqualTo("no-newline");
            assertThat(child.tail(2)).isEqualTo("b" + System.lineSeparator() + "no-newline");
        }
    }

    @Test
    void shouldWaitForALineThenStopPolitelyOrKill() throws Exception
    {
        final File output = new File(dir, "polite.log");
        try (ChildProcess child = ChildProcess.java(Echo.class).args("hang", "READY").outputFile(output).start())
        {
            child.awaitLine("READY", TIMEOUT);
            assertThat(child.isAlive()).isTrue();
            assertThat(child.stop()).isEqualTo(143); // SIGTERM, and the JVM ran its hooks
            child.awaitLine("hook ran", TIMEOUT); // the output reader may take the last line after the exit
            assertThat(child.lines()).containsExactly("READY", "hook ran");
        }
        assertThat(output).exists(); // a file the caller named stays

        try (ChildProcess child = ChildProcess.java(Echo.class).args("hang", "READY").killOnClose().start())
        {
            child.awaitLine("READY", TIMEOUT);
            child.kill();
            assertThat(child.exitValue()).isEqualTo(137);
            assertThat(child.lines()).containsExactly("READY"); // kill -9: no hooks
        }
    }

    @Test
    void shouldFailAWaitQuotingTheOutputWhenTheChildExitsOrTakesTooLong()
    {
        try (ChildProcess child = ChildProcess.java(Echo.class).args("exit", "1", "going").start())
        {
            assertThatThrownBy(() -> child.awaitLine("READY", TIMEOUT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Echo exited with 1 before printing 'READY'")
                .hasMessageContaining("going");
        }
        try (ChildProcess child = ChildProcess.java(Echo.class).args("hang", "waiting").start())
        {
            assertThatThrownBy(() -> child.awaitLine("READY", Duration.ofMillis(500)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not print 'READY' within PT0.5S")
                .hasMessageContaining("waiting");
        }
    }

    @Test
    void shouldPauseAndResumeAChild() throws Exception
    {
        try (ChildProcess child = ChildProcess.java(Echo.class).args("tick", "READY").start())
        {
            child.awaitLine("READY", TIMEOUT);
            child.awaitLine("tick 1", TIMEOUT);
            child.pause();
            final int ticks = child.lines().size();
            Thread.sleep(300);
            assertThat(child.lines()).as("no output while paused").hasSize(ticks);
            assertThat(child.isAlive()).isTrue();
            child.resume();
            child.awaitLine("tick " + ticks, TIMEOUT); // ticks go on: READY plus ticks-1 lines were printed
        }
    }

    @Test
    void shouldStopAChildThatOutlivesItsWaitAndDeleteItsTempOutputOnClose() throws Exception
    {
        final File output;
        try (ChildProcess child = ChildProcess.java(Echo.class).args("hang", "READY").start())
        {
            output = child.outputFile();
            child.awaitLine("READY", TIMEOUT);
            assertThat(child.waitFor(Duration.ofMillis(200))).isEqualTo(ChildProcess.TIMED_OUT);
            assertThat(child.isAlive()).isFalse();
        }
        assertThat(output).doesNotExist();
    }

    /** Prints its args (after a mode and, for exit, a code), then exits with the code, hangs or ticks until killed. */
    public static final class Echo
    {
        private Echo()
        {
        }

        /**
         * @param args {@code exit CODE LINE...}, {@code hang LINE...} or {@code tick LINE...} (then prints
         *             {@code tick N} every 20 ms); a last line {@code no-newline} is printed without a terminator.
         * @throws InterruptedException if interrupted.
         */
        public static void main(final String[] args) throws InterruptedException
        {
            final boolean hang = "hang".equals(args[0]);
            final boolean tick = "tick".equals(args[0]);
            final int first = hang || tick ? 1 : 2;
            for (int i = first; i < args.length; i++)
            {
                if ("no-newline".equals(args[i]))
                {
                    System.out.print(args[i]);
                }
                else
                {
                    System.out.println(args[i]);
                }
            }
            System.out.flush();
            for (int i = 1; tick; i++)
            {
                Thread.sleep(20);
                System.out.println("tick " + i);
            }
            if (hang)
            {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook ran")));
                Thread.sleep(Long.MAX_VALUE);
            }
            System.exit(Integer.parseInt(args[1]));
        }
    }
}
