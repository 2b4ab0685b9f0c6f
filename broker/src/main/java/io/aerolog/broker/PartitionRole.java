package io.aerolog.broker;

import io.aerolog.archive.PartitionReplicator;

/**
 * What this broker does with one partition now, as {@link PartitionRoles} keeps it. Conductor thread only.
 */
final class PartitionRole
{
    /** No epoch: the broker does not lead the partition. */
    static final int NOT_LEADING = -1;

    /** A role change is under way on the log worker; the partition is looked at again when it ends. */
    boolean transitioning;
    /** Has had its role here at least once (a create is answered when every partition has). */
    boolean settled;
    /** Why its log did not open here, or null. */
    String failed;
    /** The leader epoch this broker leads the partition in, or {@link #NOT_LEADING}. */
    int ledEpoch = NOT_LEADING;
    /** The running copy of the leader's recording while this broker follows, or null. */
    PartitionReplicator copy;
    /** The leader and epoch the copy follows. */
    int copyLeader = -1;
    int copyEpoch = -1;
    /** When to look at the partition again after a wait or a failure, 0 for no retry due. */
    long retryAtMs;
}
