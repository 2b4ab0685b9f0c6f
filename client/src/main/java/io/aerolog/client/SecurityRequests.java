package io.aerolog.client;

import io.aerolog.codecs.wire.AclListDecoder;
import io.aerolog.codecs.wire.AddAclEncoder;
import io.aerolog.codecs.wire.AdminResponseDecoder;
import io.aerolog.codecs.wire.DeleteUserEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.ListAclsEncoder;
import io.aerolog.codecs.wire.ListUsersEncoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.RemoveAclEncoder;
import io.aerolog.codecs.wire.UpsertUserEncoder;
import io.aerolog.codecs.wire.UserListDecoder;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The user and ACL requests of {@link Admin}: encoded, sent and their answers read.
 */
final class SecurityRequests
{
    private SecurityRequests()
    {
    }

    static void upsertUser(final BrokerConnection connection, final String name, final String password)
    {
        final long correlationId = connection.nextCorrelationId();
        final UpsertUserEncoder e = new UpsertUserEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .userName(name)
            .password(password);
        checkAdminResponse(send(connection, e.encodedLength(), correlationId));
    }

    static void deleteUser(final BrokerConnection connection, final String name)
    {
        final long correlationId = connection.nextCorrelationId();
        final DeleteUserEncoder e = new DeleteUserEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .userName(name);
        checkAdminResponse(send(connection, e.encodedLength(), correlationId));
    }

    static List<String> listUsers(final BrokerConnection connection)
    {
        final long correlationId = connection.nextCorrelationId();
        final ListUsersEncoder e = new ListUsersEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId());
        final DirectBuffer response = send(connection, e.encodedLength(), correlationId);
        final UserListDecoder d = new UserListDecoder().wrapAndApplyHeader(response, 0, new MessageHeaderDecoder());
        final List<String> names = new ArrayList<>();
        for (final UserListDecoder.UsersDecoder user : d.users())
        {
            names.add(user.userName());
        }
        check(d.code(), d.message());
        return names;
    }

    static void changeAcl(final BrokerConnection connection, final AclEntry acl, final boolean add)
    {
        final long correlationId = connection.nextCorrelationId();
        final int length;
        if (add)
        {
            length = new AddAclEncoder()
                .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
                .correlationId(correlationId)
                .clientSessionId(connection.clientSessionId())
                .resourceType((short)acl.resourceType().ordinal())
                .operation((short)acl.operation().ordinal())
                .permission((short)acl.permission().ordinal())
                .principal(acl.principal())
                .resourceName(acl.resourceName())
                .encodedLength();
        }
        else
        {
            length = new RemoveAclEncoder()
                .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
                .correlationId(correlationId)
                .clientSessionId(connection.clientSessionId())
                .resourceType((short)acl.resourceType().ordinal())
                .operation((short)acl.operation().ordinal())
                .permission((short)acl.permission().ordinal())
                .principal(acl.principal())
                .resourceName(acl.resourceName())
                .encodedLength();
        }
        checkAdminResponse(send(connection, length, correlationId));
    }

    static List<AclEntry> listAcls(final BrokerConnection connection)
    {
        final long correlationId = connection.nextCorrelationId();
        final ListAclsEncoder e = new ListAclsEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId());
        final DirectBuffer response = send(connection, e.encodedLength(), correlationId);
        final AclListDecoder d = new AclListDecoder().wrapAndApplyHeader(response, 0, new MessageHeaderDecoder());
        final List<AclEntry> acls = new ArrayList<>();
        final AclEntry.ResourceType[] types = AclEntry.ResourceType.values();
        final AclEntry.Operation[] operations = AclEntry.Operation.values();
        final AclEntry.Permission[] permissions = AclEntry.Permission.values();
        for (final AclListDecoder.AclsDecoder acl : d.acls())
        {
            final int type = acl.resourceType();
            final int operation = acl.operation();
            final int permission = acl.permission();
            final String principal = acl.principal();
            final String resourceName = acl.resourceName();
            if (type < types.length && operation < operations.length && permission < permissions.length)
            {
                acls.add(new AclEntry(principal, types[type], resourceName, operations[operation],
                    permissions[permission]));
            }
        }
        check(d.code(), d.message());
        return acls;
    }

    private static DirectBuffer send(final BrokerConnection connection, final int encodedLength, final long id)
    {
        final DirectBuffer response = connection.request(
            MessageHeaderEncoder.ENCODED_LENGTH + encodedLength, id, connection.context().requestTimeoutMs(), null);
        connection.throwIfErrorResponse(response);
        return response;
    }

    private static void checkAdminResponse(final DirectBuffer response)
    {
        final AdminResponseDecoder d = new AdminResponseDecoder().wrapAndApplyHeader(response, 0, new MessageHeaderDecoder());
        final ErrorCode code = d.code();
        check(code, d.message());
    }

    private static void check(final ErrorCode code, final String message)
    {
        if (ErrorCode.NONE != code)
        {
            throw new AerologException(code, message);
        }
    }
}
