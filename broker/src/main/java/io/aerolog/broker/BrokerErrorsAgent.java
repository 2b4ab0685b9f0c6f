package io.aerolog.broker;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Runs an agent on a thread the broker does not own (the node's data-path thread), reporting its errors as the
 * broker's: an exception from one duty cycle is counted and handed to the broker's error handler, and the thread goes
 * on with the other agents it carries.
 */
final class BrokerErrorsAgent implements Agent
{
    private final Agent delegate;
    private final ErrorHandler errorHandler;
    private final AtomicCounter errorCounter;

    BrokerErrorsAgent(final Agent delegate, final ErrorHandler errorHandler, final AtomicCounter errorCounter)
    {
        this.delegate = delegate;
        this.errorHandler = errorHandler;
        this.errorCounter = errorCounter;
    }

    @Override
    public int doWork() throws Exception
    {
        try
        {
            return delegate.doWork();
        }
        catch (final RuntimeException ex)
        {
            errorCounter.increment();
            errorHandler.onError(ex);
            return 1;
        }
    }

    @Override
    public void onStart()
    {
        delegate.onStart();
    }

    @Override
    public void onClose()
    {
        delegate.onClose();
    }

    @Override
    public String roleName()
    {
        return delegate.roleName();
    }
}
