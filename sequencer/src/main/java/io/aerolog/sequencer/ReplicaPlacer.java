package io.aerolog.sequencer;

import java.util.Arrays;

/**
 * Chooses the replicas of a topic's partitions over the live brokers, deterministically (every controller member
 * computes the same) and striped as Kafka's rack-unaware placement: partition p's first replica, its preferred
 * leader, is broker {@code (start + p) mod n} of the sorted brokers, so leadership spreads evenly; its followers come
 * after it with a shift that grows every n partitions, so the followers of one broker's partitions spread too.
 */
public final class ReplicaPlacer
{
    private ReplicaPlacer()
    {
    }

    /**
     * @param topicId           picks the starting broker, so topics do not all start on the same one.
     * @param partitions        how many partitions.
     * @param replicationFactor replicas per partition.
     * @param brokers           ids of the live (unfenced) brokers, in any order.
     * @return for each partition its replicas, the preferred leader first.
     * @throws IllegalArgumentException when the factor is below 1 or above the number of brokers.
     */
    public static int[][] place(
        final long topicId, final int partitions, final int replicationFactor, final int[] brokers)
    {
        final int[] sorted = brokers.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        if (replicationFactor < 1 || replicationFactor > n)
        {
            throw new IllegalArgumentException("replication factor " + replicationFactor + " needs that many live " +
                "brokers; " + n + " are live");
        }
        if (partitions < 1)
        {
            throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
        }
        final int start = (int)Math.floorMod(topicId, (long)n);
        final int[][] placement = new int[partitions][replicationFactor];
        for (int p = 0; p < partitions; p++)
        {
            final int first = (start + p) % n;
            placement[p][0] = sorted[first];
            if (replicationFactor > 1)
            {
                final int shift = (p / n) % (n - 1);
                for (int j = 1; j < replicationFactor; j++)
                {
                    placement[p][j] = sorted[(first + 1 + (shift + j - 1) % (n - 1)) % n];
                }
            }
        }
        return placement;
    }
}
