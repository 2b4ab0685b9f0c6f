package io.aerolog.cli;

import io.aerolog.client.Admin;
import io.aerolog.client.TopicInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code aerolog topics elect-leaders}: moves leadership back to preferred leaders (each partition's first replica)
 * wherever that broker is alive and in sync, as Kafka's {@code kafka-leader-election --election-type PREFERRED}, and
 * prints each partition whose leader moved.
 */
@Command(name = "elect-leaders", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Moves leadership back to each partition's preferred leader (its first replica) where that " +
        "broker is alive and in sync; prints what moved.")
final class ElectLeadersCommand extends CliCommand
{
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Only this topic (default: every topic).")
    String topic;

    @Option(names = "--partition", paramLabel = "P", description = "Only this partition of --topic.")
    Integer partition;

    int execute()
    {
        if (null != partition && (null == topic || partition < 0))
        {
            throw new ParameterException(spec.commandLine(), null == topic ?
                "--partition needs --topic" : "--partition must be >= 0: " + partition);
        }
        final int moved;
        final Map<String, TopicInfo> before;
        final Map<String, TopicInfo> after;
        try (Admin admin = Admin.connect(connection.clientContext("aerolog-topics")))
        {
            final List<String> topics = null == topic ? admin.listTopics() : List.of(topic);
            before = describe(admin, topics);
            moved = null == partition ? admin.electPreferredLeaders(topic) :
                admin.electPreferredLeader(topic, partition);
            // The broker has applied the controller's partition changes before it answers, so it describes them.
            after = describe(admin, topics);
        }
        final PrintWriter out = out();
        for (final String line : movedLines(before, after))
        {
            out.println(line);
        }
        out.println(moved + (1 == moved ? " partition" : " partitions") + " moved to the preferred leader" +
            (0 == moved ? " (each is led by it already, or it is not alive and in sync)" : ""));
        out.flush();
        return 0;
    }

    private static Map<String, TopicInfo> describe(final Admin admin, final List<String> topics)
    {
        final Map<String, TopicInfo> described = new LinkedHashMap<>();
        for (final String name : topics)
        {
            described.put(name, admin.describeTopic(name));
        }
        return described;
    }

    /**
     * @param before each topic as described before the election.
     * @param after  each topic as described after it.
     * @return {@code topic-partition: leader A -> B (epoch E)} for each partition whose leader changed.
     */
    static List<String> movedLines(final Map<String, TopicInfo> before, final Map<String, TopicInfo> after)
    {
        final List<String> lines = new ArrayList<>();
        for (final Map.Entry<String, TopicInfo> entry : after.entrySet())
        {
            final TopicInfo old = before.get(entry.getKey());
            for (final TopicInfo.PartitionInfo now : entry.getValue().partitions())
            {
                final int p = now.partition();
                final int formerLeader = null == old || p >= old.partitions().size() ?
                    TopicInfo.PartitionInfo.NO_LEADER : old.partitions().get(p).leader();
                if (formerLeader != now.leader())
                {
                    lines.add(entry.getKey() + "-" + p + ": leader " + formerLeader + " -> " + now.leader() +
                        " (epoch " + now.leaderEpoch() + ")");
                }
            }
        }
        return lines;
    }
}
