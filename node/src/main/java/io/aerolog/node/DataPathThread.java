package io.aerolog.node;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.TimeUnit;

/**
 * One thread running the archive in invoker mode (which runs the media driver too when that is an invoker) plus any
 * agents the broker adds, such as its produce agent: a whole data path composed onto one thread, with no hand-off
 * between threads from a produce request to its recording, its ack and its replay.
 */
public final class DataPathThread implements AutoCloseable
{
    /** Name of the thread and of its composite agent. */
    public static final String ROLE_NAME = "aerolog-data-path";

    private static final long CHANGE_TIMEOUT_MS = 10_000;

    private final DynamicCompositeAgent composite;
    private final AgentRunner runner;

    private DataPathThread(final DynamicCompositeAgent composite, final AgentRunner runner)
    {
        this.composite = composite;
        this.runner = runner;
    }

    static DataPathThread start(
        final AgentInvoker archiveInvoker,
        final IdleStrategy idleStrategy,
        final ErrorHandler errorHandler,
        final AtomicCounter errorCounter)
    {
        final DynamicCompositeAgent composite = new DynamicCompositeAgent(ROLE_NAME, new InvokerAgent(archiveInvoker));
        final AgentRunner runner = new AgentRunner(idleStrategy, errorHandler, errorCounter, composite);
        AgentRunner.startOnThread(runner);
        return new DataPathThread(composite, runner);
    }

    /**
     * Adds an agent to the thread and waits until it runs there.
     *
     * @param agent to add; its {@link Agent#onStart()} runs on the data-path thread.
     * @throws IllegalStateException if it was not taken in time.
     */
    public void add(final Agent agent)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHANGE_TIMEOUT_MS);
        while (!composite.tryAdd(agent))
        {
            awaitChange(deadlineNs);
        }
        while (!composite.hasAddAgentCompleted())
        {
            awaitChange(deadlineNs);
        }
    }

    /**
     * Removes an agent from the thread and waits until it no longer runs there (its {@link Agent#onClose()} has run).
     *
     * @param agent to remove.
     */
    public void remove(final Agent agent)
    {
        if (runner.isClosed())
        {
            return;
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHANGE_TIMEOUT_MS);
        while (!composite.tryRemove(agent))
        {
            awaitChange(deadlineNs);
        }
        while (!composite.hasRemoveAgentCompleted())
        {
            awaitChange(deadlineNs);
        }
    }

    private void awaitChange(final long deadlineNs)
    {
        if (System.nanoTime() > deadlineNs || runner.isClosed())
        {
            throw new IllegalStateException("the data-path thread did not take the change in time");
        }
        Thread.yield(); // start-up and shutdown only
    }

    /** Stops the thread; the archive and driver are closed by their owner afterwards. */
    @Override
    public void close()
    {
        runner.close();
    }

    /** Runs an invoker's agent in the composite; its owner closes it. */
    private static final class InvokerAgent implements Agent
    {
        private final AgentInvoker invoker;

        InvokerAgent(final AgentInvoker invoker)
        {
            this.invoker = invoker;
        }

        @Override
        public int doWork()
        {
            return invoker.invoke();
        }

        @Override
        public String roleName()
        {
            return "archive-invoker";
        }
    }
}
