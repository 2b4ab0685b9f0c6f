package io.aerolog.systemtest;

import io.aerolog.broker.Broker;
import io.aerolog.testsupport.ChildProcess;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.io.File;
import java.time.Duration;

/**
 * A controller-only node ({@code process.roles=controller}) in a JVM of its own, so a test can kill it. Prints
 * {@link #READY} once launched and {@code ROLE LEADER} / {@code ROLE FOLLOWER} whenever its role changes. Args:
 * test directory of this node, member id, port base, controller members.
 */
public final class ControllerProcess
{
    /** Printed once the node runs. */
    static final String READY = "READY";
    /** Printed when the node becomes the leader. */
    static final String LEADER = "ROLE LEADER";

    private ControllerProcess()
    {
    }

    static ChildProcess start(final File dir, final int memberId, final int portBase, final String members)
    {
        final ChildProcess child = ChildProcess.java(ControllerProcess.class)
            .args(dir.getAbsolutePath(), Integer.toString(memberId), Integer.toString(portBase), members)
            .outputFile(new File(dir, "controller-" + memberId + "-" + System.nanoTime() + ".log"))
            .killOnClose()
            .start();
        child.awaitLine(READY, Duration.ofSeconds(60));
        return child;
    }

    /**
     * @param args test directory, member id, port base, controller members.
     * @throws InterruptedException if interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final File dir = new File(args[0]);
        final Broker.Context ctx = TestBroker.defaults(dir, Integer.parseInt(args[2]))
            .brokerId(Integer.parseInt(args[1]))
            .processRoles("controller")
            .controllerMembers(args[3])
            .secret(ControllerFailoverTest.CLUSTER_SECRET);
        try (Broker node = Broker.launch(ctx))
        {
            System.out.println(READY);
            System.out.flush();
            final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            final Thread roles = new Thread(() ->
            {
                final IdleStrategy idle = new SleepingMillisIdleStrategy(20);
                boolean wasLeader = false;
                System.out.println("ROLE FOLLOWER");
                while (!Thread.currentThread().isInterrupted())
                {
                    final boolean isLeader = node.isControllerLeader();
                    if (isLeader != wasLeader)
                    {
                        wasLeader = isLeader;
                        System.out.println(isLeader ? LEADER : "ROLE FOLLOWER");
                        System.out.flush();
                    }
                    idle.idle();
                }
            });
            roles.setDaemon(true);
            roles.start();
            barrier.await();
            roles.interrupt();
        }
    }
}
