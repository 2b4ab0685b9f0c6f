package io.aerolog.systemtest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the output of {@link GroupMemberProcess}es and checks that every record was processed and committed by
 * exactly one member: a record printed by a member is confirmed once that member printed a later commit past it.
 * A record nobody confirmed is acceptable only if a killed member printed it (it committed but died before saying
 * so); a record confirmed twice was processed by two members.
 */
final class GroupLedger
{
    private final Map<Long, Integer> confirmed = new HashMap<>();
    private final Map<Long, Integer> unconfirmedByKilled = new HashMap<>();

    /**
     * Adds one member's output.
     *
     * @param output the member's printed lines.
     * @param killed whether the member was killed (its unconfirmed tail may hold committed records).
     */
    void add(final String output, final boolean killed)
    {
        final Map<Integer, List<Long>> printed = new HashMap<>();
        for (final String line : output.split("\n"))
        {
            final String[] fields = line.trim().split(" ");
            if (3 != fields.length || !("R".equals(fields[0]) || "C".equals(fields[0])))
            {
                continue;
            }
            final int partition = Integer.parseInt(fields[1]);
            final long offset = Long.parseLong(fields[2]);
            if ("R".equals(fields[0]))
            {
                printed.computeIfAbsent(partition, (p) -> new ArrayList<>()).add(offset);
            }
            else
            {
                final List<Long> pending = printed.getOrDefault(partition, new ArrayList<>());
                final List<Long> kept = new ArrayList<>();
                for (final long o : pending)
                {
                    if (o < offset)
                    {
                        confirmed.merge(key(partition, o), 1, Integer::sum);
                    }
                    else
                    {
                        kept.add(o);
                    }
                }
                printed.put(partition, kept);
            }
        }
        if (killed)
        {
            printed.forEach((p, offsets) -> offsets.forEach((o) -> unconfirmedByKilled.merge(key(p, o), 1, Integer::sum)));
        }
    }

    /**
     * Problems found, empty if every record {@code 0 <= offset < recordsPerPartition} of every partition was
     * processed exactly once.
     */
    List<String> problems(final int partitions, final long recordsPerPartition)
    {
        final List<String> problems = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            for (long o = 0; o < recordsPerPartition; o++)
            {
                final int count = confirmed.getOrDefault(key(p, o), 0);
                if (count > 1)
                {
                    problems.add("partition " + p + " offset " + o + " confirmed " + count + " times");
                }
                else if (0 == count && !unconfirmedByKilled.containsKey(key(p, o)))
                {
                    problems.add("partition " + p + " offset " + o + " never processed");
                }
            }
        }
        return problems;
    }

    int confirmedCount()
    {
        return confirmed.size();
    }

    private static long key(final int partition, final long offset)
    {
        return ((long)partition << 40) | offset;
    }
}
