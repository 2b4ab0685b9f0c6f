/**
 * The controller's broker registry: which brokers exist, their current registration epoch, their endpoints and
 * whether they are alive (unfenced), fenced or cleanly shut down.
 * <p>
 * {@link io.aerolog.cluster.registry.BrokerRegistry} is pure and deterministic: no clocks, time comes from the
 * cluster with each command or timer event, so every member and every replay decides alike.
 * {@link io.aerolog.cluster.registry.BrokerEventCodec} turns a broker into a {@code BrokerEvent} and back for egress,
 * metadata answers and snapshots.
 */
package io.aerolog.cluster.registry;
