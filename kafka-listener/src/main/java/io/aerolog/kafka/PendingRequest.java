package io.aerolog.kafka;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A request whose answer is not ready when it is handled: a produce waiting for its acknowledgements, a fetch
 * waiting for records (long poll). The listener asks it each duty cycle.
 */
interface PendingRequest
{
    /**
     * @param nowNs the listener's clock.
     * @return the response once ready, else null.
     */
    ApiMessage poll(long nowNs);
}
