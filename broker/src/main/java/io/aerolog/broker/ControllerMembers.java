package io.aerolog.broker;

import io.aerolog.node.NodePorts;
import io.aerolog.cluster.ControllerNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The members of the controller cluster as a broker config names them: {@code id@host:portBase} entries separated
 * by commas, e.g. {@code 0@10.0.0.1:9090,1@10.0.0.2:9090,2@10.0.0.3:9090}. Each member serves its archive and
 * cluster ports at fixed offsets from its port base (see {@link ControllerNode}).
 */
public final class ControllerMembers
{
    private final Map<Integer, Member> members;

    /**
     * A member of the controller cluster.
     *
     * @param id       its member id (its broker.id).
     * @param host     its host name or address.
     * @param portBase its port base.
     */
    public record Member(int id, String host, int portBase)
    {
    }

    private ControllerMembers(final Map<Integer, Member> members)
    {
        this.members = Collections.unmodifiableMap(members);
    }

    /**
     * Parses {@code id@host:portBase[,id@host:portBase...]}.
     *
     * @param value the setting.
     * @return the members.
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static ControllerMembers parse(final String value)
    {
        if (null == value || value.isBlank())
        {
            throw new IllegalArgumentException("controller.members is empty");
        }
        final Map<Integer, Member> members = new LinkedHashMap<>();
        for (final String entry : value.split(","))
        {
            final String trimmed = entry.trim();
            final int at = trimmed.indexOf('@');
            final int colon = trimmed.lastIndexOf(':');
            if (at <= 0 || colon < at + 2 || colon == trimmed.length() - 1)
            {
                throw new IllegalArgumentException(
                    "controller.members entry must be id@host:portBase, got: '" + trimmed + "'");
            }
            final int id;
            final int portBase;
            try
            {
                id = Integer.parseInt(trimmed.substring(0, at));
                portBase = Integer.parseInt(trimmed.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(
                    "controller.members entry must be id@host:portBase with numbers, got: '" + trimmed + "'");
            }
            if (id < 0 || portBase <= 0 || portBase > 65535 - 10)
            {
                throw new IllegalArgumentException("controller.members entry out of range: '" + trimmed + "'");
            }
            if (null != members.put(id, new Member(id, trimmed.substring(at + 1, colon), portBase)))
            {
                throw new IllegalArgumentException("controller.members names member " + id + " twice");
            }
        }
        return new ControllerMembers(members);
    }

    /**
     * A single member: a broker that is its own controller.
     *
     * @param id       member id.
     * @param host     host.
     * @param portBase port base.
     * @return the members.
     */
    public static ControllerMembers single(final int id, final String host, final int portBase)
    {
        final Map<Integer, Member> members = new LinkedHashMap<>();
        members.put(id, new Member(id, host, portBase));
        return new ControllerMembers(members);
    }

    /** @return the members by id. */
    public Map<Integer, Member> members()
    {
        return members;
    }

    /**
     * @param id a member id.
     * @return the member, or null.
     */
    public Member member(final int id)
    {
        return members.get(id);
    }

    /** @return the members in Aeron Cluster's {@code clusterMembers} format. */
    public String clusterMembers()
    {
        final List<String> entries = new ArrayList<>();
        for (final Member m : members.values())
        {
            entries.add(NodePorts.clusterMember(m.id(), m.host(), m.portBase()));
        }
        return String.join("|", entries);
    }

    /** @return the members' ingress endpoints for a cluster client, e.g. {@code 0=host:9093,1=host:9103}. */
    public String ingressEndpoints()
    {
        final List<String> entries = new ArrayList<>();
        for (final Member m : members.values())
        {
            entries.add(m.id() + "=" + NodePorts.endpoint(m.host(), m.portBase(),
                NodePorts.INGRESS_PORT_OFFSET));
        }
        return String.join(",", entries);
    }

    @Override
    public String toString()
    {
        final List<String> entries = new ArrayList<>();
        for (final Member m : members.values())
        {
            entries.add(m.id() + "@" + m.host() + ":" + m.portBase());
        }
        return String.join(",", entries);
    }
}
