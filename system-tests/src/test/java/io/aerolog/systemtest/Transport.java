package io.aerolog.systemtest;

import io.aerolog.client.ClientContext;

/**
 * How a client reaches a test broker.
 */
enum Transport
{
    /** Through the broker's own media driver. */
    IPC
    {
        ClientContext context(final TestBroker broker)
        {
            return broker.ipc();
        }
    },
    /** Through a client-side media driver to the broker's UDP ingress. */
    UDP
    {
        ClientContext context(final TestBroker broker)
        {
            return broker.udp();
        }
    };

    abstract ClientContext context(TestBroker broker);
}
