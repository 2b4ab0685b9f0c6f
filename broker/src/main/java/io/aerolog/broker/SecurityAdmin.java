package io.aerolog.broker;

import io.aerolog.cluster.ControllerClient;
import io.aerolog.cluster.security.AclBinding;
import io.aerolog.cluster.security.AclOperation;
import io.aerolog.cluster.security.AclResourceType;
import io.aerolog.cluster.security.Authorizer;
import io.aerolog.cluster.security.PasswordHasher;
import io.aerolog.cluster.security.Principals;
import io.aerolog.cluster.security.SecurityEventCodec;
import io.aerolog.cluster.security.UserCredential;
import io.aerolog.codecs.wire.AclListEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.UserListEncoder;

import java.util.function.Supplier;

/**
 * Users and ACLs administration: a change goes to the controller (ALTER on the cluster), a password hashed first on
 * the {@link CredentialWorker} so the controller never sees it; lists are answered from the broker's copy (DESCRIBE
 * on the cluster). Conductor thread.
 */
final class SecurityAdmin
{
    private final AccessControl access;
    private final CredentialWorker credentials;
    private final TopicAdmin admin;
    private final Answers answers;
    private final Supplier<ControllerClient> controller;
    private final UserListEncoder userListEncoder = new UserListEncoder();
    private final AclListEncoder aclListEncoder = new AclListEncoder();

    SecurityAdmin(
        final AccessControl access,
        final CredentialWorker credentials,
        final TopicAdmin admin,
        final Answers answers,
        final Supplier<ControllerClient> controller)
    {
        this.access = access;
        this.credentials = credentials;
        this.admin = admin;
        this.answers = answers;
        this.controller = controller;
    }

    void onUpsertUser(
        final ClientSession session, final long correlationId, final String name, final String password,
        final long nowMs)
    {
        if (!mayAlter(session, correlationId))
        {
            return;
        }
        final String problem = Principals.checkUserName(name);
        if (null != problem || password.isEmpty() || password.length() > PasswordHasher.MAX_PASSWORD_LENGTH)
        {
            answers.adminResponse(session, correlationId, ErrorCode.INVALID_REQUEST, null != problem ? problem :
                "a password has 1 to " + PasswordHasher.MAX_PASSWORD_LENGTH + " characters");
            return;
        }
        final boolean queued = credentials.hash(name, password, (credential) ->
            admin.sendPlain(session, correlationId, (id) -> controller.get().upsertUser(id, credential), nowMs));
        if (!queued)
        {
            answers.adminResponse(session, correlationId, ErrorCode.NOT_READY, "too many passwords being hashed; retry");
        }
    }

    void onDeleteUser(final ClientSession session, final long correlationId, final String name, final long nowMs)
    {
        if (mayAlter(session, correlationId))
        {
            admin.sendPlain(session, correlationId, (id) -> controller.get().deleteUser(id, name), nowMs);
        }
    }

    void onChangeAcl(
        final ClientSession session,
        final long correlationId,
        final boolean add,
        final int resourceType,
        final int operation,
        final int permission,
        final String principal,
        final String resourceName,
        final long nowMs)
    {
        if (!mayAlter(session, correlationId))
        {
            return;
        }
        final AclBinding acl = SecurityEventCodec.binding(resourceType, operation, permission, principal, resourceName);
        final String problem = null == acl ? "unknown resource type, operation or permission" : acl.check();
        if (null != problem)
        {
            answers.adminResponse(session, correlationId, ErrorCode.INVALID_REQUEST, problem);
            return;
        }
        admin.sendPlain(session, correlationId, (id) -> controller.get().changeAcl(id, acl, add), nowMs);
    }

    void onListUsers(final ClientSession session, final long correlationId)
    {
        if (!mayDescribe(session, correlationId))
        {
            return;
        }
        final UserListEncoder e = userListEncoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
            .correlationId(correlationId)
            .code(ErrorCode.NONE);
        final UserListEncoder.UsersEncoder users = e.usersCount(access.users().size());
        for (final UserCredential user : access.users())
        {
            users.next().userName(user.name());
        }
        e.message("");
        answers.send(session, e.encodedLength());
    }

    void onListAcls(final ClientSession session, final long correlationId)
    {
        if (!mayDescribe(session, correlationId))
        {
            return;
        }
        final AclListEncoder e = aclListEncoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
            .correlationId(correlationId)
            .code(ErrorCode.NONE);
        final AclListEncoder.AclsEncoder acls = e.aclsCount(access.acls().size());
        for (final AclBinding acl : access.acls())
        {
            acls.next()
                .resourceType((short)acl.resourceType().code())
                .operation((short)acl.operation().code())
                .permission((short)acl.permission().code())
                .principal(acl.principal())
                .resourceName(acl.resourceName());
        }
        e.message("");
        answers.send(session, e.encodedLength());
    }

    private boolean mayAlter(final ClientSession session, final long correlationId)
    {
        return access.check(session, correlationId, AclOperation.ALTER, AclResourceType.CLUSTER,
            Authorizer.CLUSTER_NAME, answers);
    }

    private boolean mayDescribe(final ClientSession session, final long correlationId)
    {
        return access.check(session, correlationId, AclOperation.DESCRIBE, AclResourceType.CLUSTER,
            Authorizer.CLUSTER_NAME, answers);
    }
}
