/**
 * Consumer groups: the pure, deterministic core held in the controller's replicated state.
 * <p>
 * {@link io.aerolog.cluster.group.GroupCoordinator} holds the groups and implements the KIP-848 style protocol
 * (server-side target assignment, incremental reconciliation, revoke before assign); the assignors
 * ({@link io.aerolog.cluster.group.StickyAssignor}, {@link io.aerolog.cluster.group.RangeAssignor},
 * {@link io.aerolog.cluster.group.RoundRobinAssignor}, chosen per group through
 * {@link io.aerolog.cluster.group.Assignors}) are pure functions; {@link io.aerolog.cluster.group.GroupErrors} lists
 * the error codes, the wire codes of the same values. No Aeron types, no clocks: the controller service feeds it
 * cluster time and timer events ({@link io.aerolog.cluster.GroupRequestHandler} decodes the requests).
 */
package io.aerolog.cluster.group;
