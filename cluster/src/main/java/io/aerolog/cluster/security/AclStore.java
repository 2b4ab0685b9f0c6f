package io.aerolog.cluster.security;

import io.aerolog.codecs.wire.ErrorCode;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.function.Consumer;

/**
 * The controller's ACL bindings, replicated state: changed only by commands, kept in the order they were added (so
 * snapshots and replays list them the same on every member), bounded by a cap. <b>Not thread-safe:</b> the
 * controller service's thread.
 */
public final class AclStore
{
    private static final int NONE = ErrorCode.NONE.value();

    private final LinkedHashSet<AclBinding> bindings = new LinkedHashSet<>();
    private final int maxAcls;
    private String lastErrorMessage;
    private boolean lastChanged;

    /**
     * @param maxAcls most bindings at once; one more is refused {@code LIMIT_REACHED}.
     */
    public AclStore(final int maxAcls)
    {
        this.maxAcls = maxAcls;
    }

    /**
     * Adds a binding; adding one already present succeeds and changes nothing ({@link #lastChanged()} false).
     *
     * @param binding to add.
     * @return an {@link ErrorCode} value: {@code NONE}, {@code INVALID_REQUEST} for an invalid binding,
     * {@code LIMIT_REACHED} when full.
     */
    public int add(final AclBinding binding)
    {
        lastChanged = false;
        final String problem = binding.check();
        if (null != problem)
        {
            return fail(ErrorCode.INVALID_REQUEST, problem);
        }
        if (bindings.contains(binding))
        {
            return NONE;
        }
        if (bindings.size() >= maxAcls)
        {
            return fail(ErrorCode.LIMIT_REACHED, "the cluster has its maximum of " + maxAcls + " ACLs");
        }
        bindings.add(binding);
        lastChanged = true;
        return NONE;
    }

    /**
     * Removes a binding; removing one not present succeeds and changes nothing ({@link #lastChanged()} false).
     *
     * @param binding to remove.
     * @return an {@link ErrorCode} value, {@code NONE}.
     */
    public int remove(final AclBinding binding)
    {
        lastChanged = bindings.remove(binding);
        return NONE;
    }

    /**
     * @return did the last add or remove change the bindings?
     */
    public boolean lastChanged()
    {
        return lastChanged;
    }

    /**
     * @return number of bindings.
     */
    public int size()
    {
        return bindings.size();
    }

    /**
     * @param consumer called with each binding in the order they were added.
     */
    public void forEach(final Consumer<AclBinding> consumer)
    {
        bindings.forEach(consumer);
    }

    /**
     * @return every binding in the order they were added, unmodifiable.
     */
    public Collection<AclBinding> all()
    {
        return Collections.unmodifiableSet(bindings);
    }

    /**
     * Replaces every binding (a snapshot load), without checking the cap.
     *
     * @param restored to hold, in order.
     */
    public void restore(final Collection<AclBinding> restored)
    {
        bindings.clear();
        bindings.addAll(restored);
    }

    /**
     * @return why the last refused change was refused.
     */
    public String lastErrorMessage()
    {
        return lastErrorMessage;
    }

    private int fail(final ErrorCode code, final String message)
    {
        lastErrorMessage = message;
        return code.value();
    }
}
