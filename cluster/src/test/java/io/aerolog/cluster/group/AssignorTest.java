package io.aerolog.cluster.group;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class AssignorTest
{
    private static final TopicPartitionCounts COUNTS = (topic) -> switch (topic)
    {
        case "a" -> 7;
        case "b" -> 3;
        case "c" -> 12;
        default -> TopicPartitionCounts.UNKNOWN_TOPIC;
    };

    private static final List<Assignor> ASSIGNORS =
        List.of(new RangeAssignor(), new RoundRobinAssignor(), new StickyAssignor());

    @Test
    void shouldAssignEveryPartitionOnceAndBalancePerTopic()
    {
        for (final Assignor assignor : ASSIGNORS)
        {
            final TreeMap<String, TreeSet<TopicPartition>> assignment =
                assignor.assign(subscriptions(List.of("m1", "m2", "m3"), "a"), new TreeMap<>(), COUNTS);

            assertThat(assignment).as(assignor.name()).containsOnlyKeys("m1", "m2", "m3");
            assertCoversOnce(assignment, "a", 7);
            assertThat(spread(assignment)).as(assignor.name()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void shouldBeDeterministic()
    {
        for (final Assignor assignor : ASSIGNORS)
        {
            final TreeMap<String, TreeSet<String>> subscriptions = subscriptions(List.of("x", "y", "z"), "a", "b");
            final TreeMap<String, TreeSet<String>> reversed = new TreeMap<>();
            for (final String member : subscriptions.descendingKeySet())
            {
                reversed.put(member, new TreeSet<>(subscriptions.get(member).descendingSet()));
            }

            assertThat(assignor.assign(subscriptions, new TreeMap<>(), COUNTS))
                .as(assignor.name())
                .isEqualTo(assignor.assign(reversed, new TreeMap<>(), COUNTS));
        }
    }

    @Test
    void shouldOnlyAssignSubscribedTopicsAndIgnoreUnknownTopics()
    {
        for (final Assignor assignor : ASSIGNORS)
        {
            final TreeMap<String, TreeSet<String>> subscriptions = new TreeMap<>();
            subscriptions.put("m1", new TreeSet<>(List.of("a", "nope")));
            subscriptions.put("m2", new TreeSet<>(List.of("a", "b")));
            subscriptions.put("m3", new TreeSet<>(List.of("b")));

            final TreeMap<String, TreeSet<TopicPartition>> assignment =
                assignor.assign(subscriptions, new TreeMap<>(), COUNTS);

            assertCoversOnce(assignment, "a", 7);
            assertCoversOnce(assignment, "b", 3);
            assertThat(assignment.get("m1")).allMatch((tp) -> tp.topic().equals("a"));
            assertThat(assignment.get("m3")).allMatch((tp) -> tp.topic().equals("b"));
        }
    }

    @Test
    void shouldSpreadExtraPartitionsAcrossTopicsWhenSticky()
    {
        final TreeMap<String, TreeSet<TopicPartition>> assignment = new StickyAssignor().assign(
            subscriptions(List.of("m1", "m2"), "a", "b"), new TreeMap<>(), COUNTS);

        assertThat(assignment.get("m1")).hasSize(5);
        assertThat(assignment.get("m2")).hasSize(5);
    }

    @Test
    void shouldMoveMinimumWhenMemberJoins()
    {
        final StickyAssignor assignor = new StickyAssignor();
        final TreeMap<String, TreeSet<TopicPartition>> before =
            assignor.assign(subscriptions(List.of("m1", "m2", "m3"), "c"), new TreeMap<>(), COUNTS);
        final TreeMap<String, TreeSet<TopicPartition>> after =
            assignor.assign(subscriptions(List.of("m1", "m2", "m3", "m4"), "c"), before, COUNTS);

        assertCoversOnce(after, "c", 12);
        assertThat(spread(after)).isZero();
        assertThat(moved(before, after)).isEqualTo(3);
        assertThat(after.get("m4")).hasSize(3);
    }

    @Test
    void shouldMoveOnlyLeaversPartitionsWhenMemberLeaves()
    {
        final StickyAssignor assignor = new StickyAssignor();
        final TreeMap<String, TreeSet<TopicPartition>> before =
            assignor.assign(subscriptions(List.of("m1", "m2", "m3", "m4"), "c"), new TreeMap<>(), COUNTS);
        final TreeMap<String, TreeSet<TopicPartition>> after =
            assignor.assign(subscriptions(List.of("m1", "m2", "m4"), "c"), before, COUNTS);

        assertCoversOnce(after, "c", 12);
        assertThat(spread(after)).isZero();
        for (final String member : after.keySet())
        {
            assertThat(after.get(member)).containsAll(before.get(member));
        }
    }

    @Test
    void shouldMoveMinimumWhenRebalancingUnevenAssignment()
    {
        final TreeMap<String, TreeSet<TopicPartition>> current = new TreeMap<>();
        current.put("m1", partitions("a", 0, 1, 2, 3, 4, 5));
        current.put("m2", partitions("a", 6));
        final TreeMap<String, TreeSet<TopicPartition>> after = new StickyAssignor().assign(
            subscriptions(List.of("m1", "m2"), "a"), current, COUNTS);

        assertThat(after.get("m1")).isEqualTo(partitions("a", 0, 1, 2, 3));
        assertThat(after.get("m2")).isEqualTo(partitions("a", 4, 5, 6));
    }

    @Test
    void shouldAssignRangesAndRoundRobinAsKafkaDoes()
    {
        final TreeMap<String, TreeSet<String>> subscriptions = subscriptions(List.of("m1", "m2"), "b");

        assertThat(new RangeAssignor().assign(subscriptions, new TreeMap<>(), COUNTS).get("m1"))
            .isEqualTo(partitions("b", 0, 1));
        assertThat(new RoundRobinAssignor().assign(subscriptions, new TreeMap<>(), COUNTS).get("m1"))
            .isEqualTo(partitions("b", 0, 2));
    }

    static TreeSet<TopicPartition> partitions(final String topic, final int... partitions)
    {
        final TreeSet<TopicPartition> set = new TreeSet<>();
        for (final int partition : partitions)
        {
            set.add(new TopicPartition(topic, partition));
        }

        return set;
    }

    private static TreeMap<String, TreeSet<String>> subscriptions(final List<String> members, final String... topics)
    {
        final TreeMap<String, TreeSet<String>> subscriptions = new TreeMap<>();
        for (final String member : members)
        {
            subscriptions.put(member, new TreeSet<>(List.of(topics)));
        }

        return subscriptions;
    }

    private static void assertCoversOnce(
        final Map<String, TreeSet<TopicPartition>> assignment, final String topic, final int partitions)
    {
        final HashMap<TopicPartition, String> owners = new HashMap<>();
        for (final Map.Entry<String, TreeSet<TopicPartition>> entry : assignment.entrySet())
        {
            for (final TopicPartition tp : entry.getValue())
            {
                assertThat(owners.put(tp, entry.getKey())).as("%s assigned twice", tp).isNull();
            }
        }

        for (int i = 0; i < partitions; i++)
        {
            assertThat(owners).containsKey(new TopicPartition(topic, i));
        }
    }

    private static int spread(final Map<String, TreeSet<TopicPartition>> assignment)
    {
        final int max = assignment.values().stream().mapToInt(TreeSet::size).max().orElse(0);
        final int min = assignment.values().stream().mapToInt(TreeSet::size).min().orElse(0);

        return max - min;
    }

    private static int moved(
        final Map<String, TreeSet<TopicPartition>> before, final Map<String, TreeSet<TopicPartition>> after)
    {
        int moved = 0;
        for (final Map.Entry<String, TreeSet<TopicPartition>> entry : after.entrySet())
        {
            for (final TopicPartition tp : entry.getValue())
            {
                final TreeSet<TopicPartition> previous = before.get(entry.getKey());
                if (null == previous || !previous.contains(tp))
                {
                    moved++;
                }
            }
        }

        return moved;
    }
}
