/**
 * Consumer groups: the pure, deterministic core held in the controller's replicated state.
 * <p>
 * {@link io.aerolog.cluster.group.GroupCoordinator} holds the groups and implements the KIP-848 style protocol
 * (server-side target assignment, incremental reconciliation, revoke before assign); the assignors
 * ({@link io.aerolog.cluster.group.StickyAssignor}, {@link io.aerolog.cluster.group.RangeAssignor},
 * {@link io.aerolog.cluster.group.RoundRobinAssignor}) are pure functions; {@link io.aerolog.cluster.group.GroupErrors}
 * lists the error codes and their mapping onto the wire codes. No Aeron types, no clocks.
 */
package io.aerolog.cluster.group;
