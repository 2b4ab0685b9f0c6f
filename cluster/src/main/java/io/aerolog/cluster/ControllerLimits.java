package io.aerolog.cluster;

/**
 * Caps on the controller's replicated state: a command that would pass one is refused with
 * {@code LIMIT_REACHED} (partitions per topic: {@code INVALID_PARTITIONS}) and the state does not grow.
 * <p>
 * The caps take part in deciding every command, so every member of a cluster must run with the same values; raise
 * them, never lower them, on a cluster with a log (a lower cap could refuse on replay a command once accepted).
 *
 * @param maxTopics                   topics at once.
 * @param maxPartitionsPerTopic       partitions of one topic, at most {@link ControllerState#MAX_PARTITIONS}.
 * @param maxGroups                   consumer groups at once (with members or committed offsets).
 * @param maxMembersPerGroup          members of one group, including static members that left temporarily.
 * @param maxCommittedOffsetsPerGroup partitions with a committed offset in one group.
 */
public record ControllerLimits(
    int maxTopics,
    int maxPartitionsPerTopic,
    int maxGroups,
    int maxMembersPerGroup,
    int maxCommittedOffsetsPerGroup)
{
    /** Default of {@link #maxTopics()}. */
    public static final int MAX_TOPICS_DEFAULT = 10_000;
    /** Default of {@link #maxPartitionsPerTopic()}. */
    public static final int MAX_PARTITIONS_PER_TOPIC_DEFAULT = ControllerState.MAX_PARTITIONS;
    /** Default of {@link #maxGroups()}. */
    public static final int MAX_GROUPS_DEFAULT = 10_000;
    /** Default of {@link #maxMembersPerGroup()}. */
    public static final int MAX_MEMBERS_PER_GROUP_DEFAULT = 1_000;
    /** Default of {@link #maxCommittedOffsetsPerGroup()}. */
    public static final int MAX_COMMITTED_OFFSETS_PER_GROUP_DEFAULT = 100_000;

    /** The default caps. */
    public static final ControllerLimits DEFAULT = new ControllerLimits(
        MAX_TOPICS_DEFAULT,
        MAX_PARTITIONS_PER_TOPIC_DEFAULT,
        MAX_GROUPS_DEFAULT,
        MAX_MEMBERS_PER_GROUP_DEFAULT,
        MAX_COMMITTED_OFFSETS_PER_GROUP_DEFAULT);

    /**
     * Checks the caps.
     *
     * @throws IllegalArgumentException if a cap is below 1, or partitions per topic above
     *                                  {@link ControllerState#MAX_PARTITIONS}.
     */
    public ControllerLimits
    {
        requirePositive("maxTopics", maxTopics);
        requirePositive("maxPartitionsPerTopic", maxPartitionsPerTopic);
        requirePositive("maxGroups", maxGroups);
        requirePositive("maxMembersPerGroup", maxMembersPerGroup);
        requirePositive("maxCommittedOffsetsPerGroup", maxCommittedOffsetsPerGroup);
        if (maxPartitionsPerTopic > ControllerState.MAX_PARTITIONS)
        {
            throw new IllegalArgumentException(
                "maxPartitionsPerTopic must be <= " + ControllerState.MAX_PARTITIONS + ": " + maxPartitionsPerTopic);
        }
    }

    private static void requirePositive(final String name, final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException(name + " must be >= 1: " + value);
        }
    }
}
