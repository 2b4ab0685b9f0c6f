package io.aerolog.cli;

import io.aerolog.node.NodeErrorLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorsCommandTest
{
    @TempDir
    File dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return new CommandLine(new AerologCli()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
            .execute(args);
    }

    @Test
    void printsTheNodesErrorsAndExitsWithThreeWhenThereAreAny()
    {
        try (NodeErrorLog log = NodeErrorLog.create(dir, 64 * 1024))
        {
            assertThat(run("errors", "--data-dir", dir.getPath())).isZero();
            assertThat(out.toString()).contains("driver errors: 0", "0 distinct error(s)");

            log.handler(NodeErrorLog.Source.ARCHIVE).onError(new IllegalStateException("recording lost"));
            out.getBuffer().setLength(0);
            assertThat(run("errors", "--data-dir", dir.getPath())).isEqualTo(ErrorsCommand.EXIT_ERRORS_FOUND);
            assertThat(out.toString()).contains("archive errors: 1", "recording lost");
        }
    }

    @Test
    void aDirectoryWithoutALogIsAClearError()
    {
        assertThat(run("errors", "--data-dir", dir.getPath())).isEqualTo(CliCommand.EXIT_ERROR);
        assertThat(err.toString()).contains("error: no node error log at");
    }
}
