package io.aerolog.cluster.group;

/**
 * The assignors a group may name, by {@link Assignor#name()}. They are stateless, so one instance of each is shared.
 */
public final class Assignors
{
    /**
     * The assignor of a group whose first member names none.
     */
    public static final Assignor DEFAULT = new StickyAssignor();

    private static final Assignor RANGE = new RangeAssignor();
    private static final Assignor ROUND_ROBIN = new RoundRobinAssignor();

    private Assignors()
    {
    }

    /**
     * The assignor of a name.
     *
     * @param name {@link RangeAssignor#NAME}, {@link RoundRobinAssignor#NAME} or {@link StickyAssignor#NAME}.
     * @return the assignor, or null if the name is unknown.
     */
    public static Assignor byName(final String name)
    {
        if (null == name)
        {
            return null;
        }

        return switch (name)
        {
            case RangeAssignor.NAME -> RANGE;
            case RoundRobinAssignor.NAME -> ROUND_ROBIN;
            case StickyAssignor.NAME -> DEFAULT;
            default -> null;
        };
    }
}
