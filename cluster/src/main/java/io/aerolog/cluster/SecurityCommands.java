package io.aerolog.cluster;

import io.aerolog.cluster.security.AclBinding;
import io.aerolog.cluster.security.AclStore;
import io.aerolog.cluster.security.SecurityEventCodec;
import io.aerolog.cluster.security.SecurityLimits;
import io.aerolog.cluster.security.UserCredential;
import io.aerolog.cluster.security.UserStore;
import io.aerolog.codecs.cluster.AddAclCommandDecoder;
import io.aerolog.codecs.cluster.DeleteUserCommandDecoder;
import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.RemoveAclCommandDecoder;
import io.aerolog.codecs.cluster.SecurityEventType;
import io.aerolog.codecs.cluster.UpsertUserCommandDecoder;
import io.aerolog.codecs.wire.ErrorCode;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.function.IntPredicate;

/**
 * The controller's users and ACLs: applies {@code UpsertUser}, {@code DeleteUser}, {@code AddAcl} and
 * {@code RemoveAcl} commands to the replicated {@link UserStore} and {@link AclStore}, and encodes the event that
 * tells brokers of each change. Deterministic: the outcome depends only on the command and the stores, so every
 * member and every replay decides alike. Passwords never reach the controller, only salted hashes.
 */
final class SecurityCommands
{
    private static final int NONE = ErrorCode.NONE.value();

    private final UserStore users;
    private final AclStore acls;
    private final SecurityEventCodec codec = new SecurityEventCodec();
    private final ExpandableArrayBuffer eventBuffer = new ExpandableArrayBuffer(512);
    private final UpsertUserCommandDecoder upsertUserDecoder = new UpsertUserCommandDecoder();
    private final DeleteUserCommandDecoder deleteUserDecoder = new DeleteUserCommandDecoder();
    private final AddAclCommandDecoder addAclDecoder = new AddAclCommandDecoder();
    private final RemoveAclCommandDecoder removeAclDecoder = new RemoveAclCommandDecoder();
    private long lastCorrelationId;
    private String lastErrorMessage;
    private int lastEventLength;

    SecurityCommands(final SecurityLimits limits)
    {
        users = new UserStore(limits.maxUsers());
        acls = new AclStore(limits.maxAcls());
    }

    /**
     * @param templateId of a cluster-schema message.
     * @return true if {@link #apply} handles it.
     */
    static boolean isSecurityCommand(final int templateId)
    {
        return UpsertUserCommandDecoder.TEMPLATE_ID == templateId || DeleteUserCommandDecoder.TEMPLATE_ID == templateId ||
            AddAclCommandDecoder.TEMPLATE_ID == templateId || RemoveAclCommandDecoder.TEMPLATE_ID == templateId;
    }

    /**
     * @param templateId of the command.
     * @return its fixed block length.
     */
    static int blockLength(final int templateId)
    {
        return switch (templateId)
        {
            case UpsertUserCommandDecoder.TEMPLATE_ID -> UpsertUserCommandDecoder.BLOCK_LENGTH;
            case DeleteUserCommandDecoder.TEMPLATE_ID -> DeleteUserCommandDecoder.BLOCK_LENGTH;
            case AddAclCommandDecoder.TEMPLATE_ID -> AddAclCommandDecoder.BLOCK_LENGTH;
            default -> RemoveAclCommandDecoder.BLOCK_LENGTH;
        };
    }

    /**
     * Applies a command whose frame has been validated.
     *
     * @param buffer holding the command with its header at 0.
     * @param header the command's header, wrapped.
     * @return an {@link ErrorCode} value; {@link #lastCorrelationId()}, {@link #lastErrorMessage()} and
     * {@link #lastEventLength()} tell the rest.
     */
    int apply(final DirectBuffer buffer, final MessageHeaderDecoder header)
    {
        lastEventLength = 0;
        lastErrorMessage = null;
        switch (header.templateId())
        {
            case UpsertUserCommandDecoder.TEMPLATE_ID:
            {
                final UpsertUserCommandDecoder d = upsertUserDecoder.wrapAndApplyHeader(buffer, 0, header);
                lastCorrelationId = d.correlationId();
                final int iterations = d.iterations();
                final String name = d.userName();
                final byte[] salt = new byte[d.saltLength()];
                d.getSalt(salt, 0, salt.length);
                final byte[] hash = new byte[d.hashLength()];
                d.getHash(hash, 0, hash.length);
                final UserCredential user = new UserCredential(name, iterations, salt, hash);
                final int code = users.upsert(user);
                return NONE == code ? changed(codec.encodeUser(eventBuffer, 0, -1, SecurityEventType.ADDED, user)) :
                    refused(code, users.lastErrorMessage());
            }
            case DeleteUserCommandDecoder.TEMPLATE_ID:
            {
                final DeleteUserCommandDecoder d = deleteUserDecoder.wrapAndApplyHeader(buffer, 0, header);
                lastCorrelationId = d.correlationId();
                final String name = d.userName(); // var data is read once: each read moves the decoder on
                final UserCredential user = users.get(name);
                final int code = users.delete(name);
                return NONE == code ? changed(codec.encodeUser(eventBuffer, 0, -1, SecurityEventType.REMOVED, user)) :
                    refused(code, users.lastErrorMessage());
            }
            case AddAclCommandDecoder.TEMPLATE_ID:
            {
                final AddAclCommandDecoder d = addAclDecoder.wrapAndApplyHeader(buffer, 0, header);
                lastCorrelationId = d.correlationId();
                final AclBinding acl = SecurityEventCodec.binding(
                    d.resourceType(), d.operation(), d.permission(), d.principal(), d.resourceName());
                if (null == acl)
                {
                    return refused(ErrorCode.INVALID_REQUEST.value(), "unknown resource type, operation or permission");
                }
                final int code = acls.add(acl);
                if (NONE != code)
                {
                    return refused(code, acls.lastErrorMessage());
                }
                return acls.lastChanged() ? changed(codec.encodeAcl(eventBuffer, 0, -1, SecurityEventType.ADDED, acl)) :
                    NONE;
            }
            default:
            {
                final RemoveAclCommandDecoder d = removeAclDecoder.wrapAndApplyHeader(buffer, 0, header);
                lastCorrelationId = d.correlationId();
                final AclBinding acl = SecurityEventCodec.binding(
                    d.resourceType(), d.operation(), d.permission(), d.principal(), d.resourceName());
                if (null == acl)
                {
                    return refused(ErrorCode.INVALID_REQUEST.value(), "unknown resource type, operation or permission");
                }
                acls.remove(acl);
                return acls.lastChanged() ?
                    changed(codec.encodeAcl(eventBuffer, 0, -1, SecurityEventType.REMOVED, acl)) : NONE;
            }
        }
    }

    /**
     * Encodes every user, then every ACL, as {@code SNAPSHOT} events, one at a time into a buffer of this class,
     * stopping when the sink says so.
     *
     * @param correlationId to put in each (the metadata request's, or -1 in a snapshot).
     * @param sink          takes each encoded event from {@link #eventBuffer()}; false stops.
     * @return false if the sink stopped it.
     */
    boolean forEachRecord(final long correlationId, final IntPredicate sink)
    {
        for (final UserCredential user : users.all())
        {
            if (!sink.test(codec.encodeUser(eventBuffer, 0, correlationId, SecurityEventType.SNAPSHOT, user)))
            {
                return false;
            }
        }
        for (final AclBinding acl : acls.all())
        {
            if (!sink.test(codec.encodeAcl(eventBuffer, 0, correlationId, SecurityEventType.SNAPSHOT, acl)))
            {
                return false;
            }
        }
        return true;
    }

    private int changed(final int eventLength)
    {
        lastEventLength = eventLength;
        return NONE;
    }

    private int refused(final int code, final String message)
    {
        lastErrorMessage = message;
        return code;
    }

    /** @return the event of the last change, in {@link #eventBuffer()}, or 0 if nothing changed. */
    int lastEventLength()
    {
        return lastEventLength;
    }

    /** @return where events are encoded. */
    ExpandableArrayBuffer eventBuffer()
    {
        return eventBuffer;
    }

    /** @return correlation id of the last command. */
    long lastCorrelationId()
    {
        return lastCorrelationId;
    }

    /** @return why the last command was refused, or null. */
    String lastErrorMessage()
    {
        return lastErrorMessage;
    }

    /** @return the users. */
    UserStore users()
    {
        return users;
    }

    /** @return the ACLs. */
    AclStore acls()
    {
        return acls;
    }

    /** @return a codec for the caller's thread (the service thread). */
    SecurityEventCodec codec()
    {
        return codec;
    }
}
