package io.aerolog.cli;

import io.aerolog.client.Admin;
import io.aerolog.client.TopicInfo;
import io.aerolog.client.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code aerolog groups reset-offsets}: sets a group's committed offsets of a topic to the earliest, the latest, a
 * given offset or the first record at or after a time. Refused by the controller while the group has live members.
 */
@Command(
    name = "reset-offsets",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Sets a group's committed offsets of a topic (every partition, or one with --partition).",
        "Refused while the group has live members: stop its consumers first."
    })
final class ResetOffsetsCommand extends CliCommand
{
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "Id of the group.")
    String group;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic whose offsets to set.")
    String topic;

    @Option(names = "--partition", paramLabel = "P", description = "Only this partition (default: all).")
    Integer partition;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    /** Where to move the offsets: exactly one. */
    static final class Target
    {
        @Option(names = "--to-earliest", description = "The earliest retained offset.")
        boolean earliest;

        @Option(names = "--to-latest", description = "The log end: skip everything written so far.")
        boolean latest;

        @Option(names = "--to-offset", paramLabel = "O", description = "This offset (clamped to the retained range).")
        Long offset;

        @Option(
            names = "--to-datetime",
            paramLabel = "TS",
            description = "The first record at or after this time: ISO-8601, e.g. 2026-11-21T10:15:30Z or " +
                "2026-11-21T10:15:30 (local time), or ms since the epoch.")
        String datetime;
    }

    int execute()
    {
        if (null != partition && partition < 0)
        {
            throw new ParameterException(spec.commandLine(), "--partition must be >= 0: " + partition);
        }
        if (null != target.offset && target.offset < 0)
        {
            throw new ParameterException(spec.commandLine(), "--to-offset must be >= 0: " + target.offset);
        }
        final long timestamp = null == target.datetime ? -1 : parseTime(target.datetime);
        final Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        try (Admin admin = Admin.connect(connection.clientContext("aerolog-groups")))
        {
            final TopicInfo info = admin.describeTopic(topic);
            for (final TopicInfo.PartitionInfo p : info.partitions())
            {
                if (null == partition || partition == p.partition())
                {
                    offsets.put(new TopicPartition(topic, p.partition()), resolve(admin, p, timestamp));
                }
            }
            if (offsets.isEmpty())
            {
                throw new IllegalArgumentException("topic " + topic + " has no partition " + partition);
            }
            admin.resetOffsets(group, offsets);
        }
        final PrintWriter out = out();
        out.println("TOPIC\tPARTITION\tNEW-OFFSET");
        for (final Map.Entry<TopicPartition, Long> entry : offsets.entrySet())
        {
            out.println(entry.getKey().topic() + "\t" + entry.getKey().partition() + "\t" + entry.getValue());
        }
        out.flush();
        return 0;
    }

    private long resolve(final Admin admin, final TopicInfo.PartitionInfo p, final long timestamp)
    {
        if (target.earliest)
        {
            return admin.listOffset(topic, p.partition(), Admin.EARLIEST);
        }
        if (target.latest)
        {
            return admin.listOffset(topic, p.partition(), Admin.LATEST);
        }
        if (null != target.offset)
        {
            final long earliest = admin.listOffset(topic, p.partition(), Admin.EARLIEST);
            final long latest = admin.listOffset(topic, p.partition(), Admin.LATEST);
            return Math.max(earliest, Math.min(latest, target.offset));
        }
        final long offset = admin.listOffset(topic, p.partition(), timestamp);
        return offset < 0 ? admin.listOffset(topic, p.partition(), Admin.LATEST) : offset;
    }

    private long parseTime(final String value)
    {
        try
        {
            if (value.chars().allMatch(Character::isDigit))
            {
                return Long.parseLong(value);
            }
            if (value.endsWith("Z") || value.matches(".*[+-]\\d\\d:\\d\\d$"))
            {
                return OffsetDateTime.parse(value).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(value).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
        }
        catch (final DateTimeParseException | NumberFormatException ex)
        {
            throw new ParameterException(spec.commandLine(), "--to-datetime is not a time: " + value +
                " (use e.g. 2026-11-21T10:15:30Z, 2026-11-21T10:15:30 or ms since the epoch)");
        }
    }
}
