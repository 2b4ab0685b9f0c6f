package io.aerolog.cluster.security;

import io.aerolog.codecs.cluster.AclEventDecoder;
import io.aerolog.codecs.cluster.AclEventEncoder;
import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.cluster.SecurityEventType;
import io.aerolog.codecs.cluster.UserEventDecoder;
import io.aerolog.codecs.cluster.UserEventEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The one place a {@link UserCredential} or {@link AclBinding} becomes a {@code UserEvent} or {@code AclEvent} and
 * back: the controller's change events and metadata answers, its snapshots, and a broker's copy of them.
 * Messages must have passed the cluster schema's frame validation (or come from the controller) before decoding.
 * <b>Not thread-safe:</b> holds reusable flyweights; one instance per thread.
 */
public final class SecurityEventCodec
{
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final UserEventEncoder userEncoder = new UserEventEncoder();
    private final UserEventDecoder userDecoder = new UserEventDecoder();
    private final AclEventEncoder aclEncoder = new AclEventEncoder();
    private final AclEventDecoder aclDecoder = new AclEventDecoder();
    private long lastCorrelationId;
    private SecurityEventType lastEventType;

    /**
     * Encodes a user event, header included.
     *
     * @param buffer        to encode into (expandable or large enough: names are at most 255 bytes).
     * @param offset        of the header.
     * @param correlationId of the metadata request answered, or -1 for a change.
     * @param type          of event.
     * @param user          the user.
     * @return the encoded length.
     */
    public int encodeUser(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final SecurityEventType type,
        final UserCredential user)
    {
        userEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .eventType(type)
            .iterations(user.iterations())
            .userName(user.name())
            .putSalt(user.salt(), 0, user.salt().length)
            .putHash(user.hash(), 0, user.hash().length);
        return MessageHeaderEncoder.ENCODED_LENGTH + userEncoder.encodedLength();
    }

    /**
     * Encodes an ACL event, header included.
     *
     * @param buffer        to encode into.
     * @param offset        of the header.
     * @param correlationId of the metadata request answered, or -1 for a change.
     * @param type          of event.
     * @param acl           the binding.
     * @return the encoded length.
     */
    public int encodeAcl(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final SecurityEventType type,
        final AclBinding acl)
    {
        aclEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .eventType(type)
            .resourceType((short)acl.resourceType().code())
            .operation((short)acl.operation().code())
            .permission((short)acl.permission().code())
            .principal(acl.principal())
            .resourceName(acl.resourceName());
        return MessageHeaderEncoder.ENCODED_LENGTH + aclEncoder.encodedLength();
    }

    /**
     * Decodes a {@code UserEvent}.
     *
     * @param buffer holding it.
     * @param offset of its header.
     * @param header its header, wrapped.
     * @return the user.
     */
    public UserCredential decodeUser(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        userDecoder.wrapAndApplyHeader(buffer, offset, header);
        lastCorrelationId = userDecoder.correlationId();
        lastEventType = userDecoder.eventType();
        final int iterations = userDecoder.iterations();
        final String name = userDecoder.userName();
        final byte[] salt = new byte[userDecoder.saltLength()];
        userDecoder.getSalt(salt, 0, salt.length);
        final byte[] hash = new byte[userDecoder.hashLength()];
        userDecoder.getHash(hash, 0, hash.length);
        return new UserCredential(name, iterations, salt, hash);
    }

    /**
     * Decodes an {@code AclEvent}.
     *
     * @param buffer holding it.
     * @param offset of its header.
     * @param header its header, wrapped.
     * @return the binding, or null if a code in it is unknown.
     */
    public AclBinding decodeAcl(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        aclDecoder.wrapAndApplyHeader(buffer, offset, header);
        lastCorrelationId = aclDecoder.correlationId();
        lastEventType = aclDecoder.eventType();
        return binding(aclDecoder.resourceType(), aclDecoder.operation(), aclDecoder.permission(),
            aclDecoder.principal(), aclDecoder.resourceName());
    }

    /**
     * A binding from its wire codes.
     *
     * @param resourceType code.
     * @param operation    code.
     * @param permission   code.
     * @param principal    {@code User:name} or {@code User:*}.
     * @param resourceName name.
     * @return the binding, or null if a code is unknown.
     */
    public static AclBinding binding(
        final int resourceType,
        final int operation,
        final int permission,
        final String principal,
        final String resourceName)
    {
        final AclResourceType type = AclResourceType.get(resourceType);
        final AclOperation op = AclOperation.get(operation);
        final AclPermission perm = AclPermission.get(permission);
        return null == type || null == op || null == perm ? null :
            new AclBinding(principal, type, resourceName, op, perm);
    }

    /** @return correlation id of the last event decoded. */
    public long lastCorrelationId()
    {
        return lastCorrelationId;
    }

    /** @return type of the last event decoded. */
    public SecurityEventType lastEventType()
    {
        return lastEventType;
    }
}
