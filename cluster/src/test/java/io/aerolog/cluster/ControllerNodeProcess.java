package io.aerolog.cluster;

import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;

/**
 * Runs a {@link ControllerNode} in its own JVM so a test can kill it: args are baseDir, portBase, aeronDirectoryName.
 */
public final class ControllerNodeProcess
{
    private ControllerNodeProcess()
    {
    }

    /**
     * Launch a node and run until signalled or killed.
     *
     * @param args baseDir, portBase, aeronDirectoryName.
     */
    public static void main(final String[] args)
    {
        final ControllerNode.Context ctx = new ControllerNode.Context()
            .baseDir(new File(args[0]))
            .portBase(Integer.parseInt(args[1]))
            .aeronDirectoryName(args[2]);

        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            ControllerNode node = ControllerNode.launch(ctx))
        {
            System.out.println("leader=" + node.awaitLeader(10_000));
            barrier.await();
        }
    }
}
