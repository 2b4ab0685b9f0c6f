package io.aerolog.cluster.security;

import io.aerolog.codecs.wire.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SecurityStoresTest
{
    @Test
    void aPasswordVerifiesOnlyAgainstItsOwnHash()
    {
        final UserCredential credential =
            PasswordHasher.newCredential("alice", "s3cret".toCharArray(), PasswordHasher.MIN_ITERATIONS);

        assertThat(credential.check()).isNull();
        assertThat(PasswordHasher.verify(credential, "s3cret".toCharArray())).isTrue();
        assertThat(PasswordHasher.verify(credential, "s3cret ".toCharArray())).isFalse();
        assertThat(PasswordHasher.verify(credential, new char[0])).isFalse();
        // Salted: the same password hashes differently for another user.
        final UserCredential other =
            PasswordHasher.newCredential("bob", "s3cret".toCharArray(), PasswordHasher.MIN_ITERATIONS);
        assertThat(other.hash()).isNotEqualTo(credential.hash());
    }

    @Test
    void userStoreValidatesAndCaps()
    {
        final UserStore users = new UserStore(2);
        final UserCredential alice = PasswordHasher.newCredential("alice", "a".toCharArray(), 1000);

        assertThat(users.upsert(alice)).isEqualTo(ErrorCode.NONE.value());
        assertThat(users.upsert(PasswordHasher.newCredential("alice", "b".toCharArray(), 1000)))
            .isEqualTo(ErrorCode.NONE.value());
        assertThat(users.size()).isEqualTo(1);
        assertThat(users.upsert(PasswordHasher.newCredential("bob", "b".toCharArray(), 1000)))
            .isEqualTo(ErrorCode.NONE.value());
        assertThat(users.upsert(PasswordHasher.newCredential("carol", "c".toCharArray(), 1000)))
            .isEqualTo(ErrorCode.LIMIT_REACHED.value());
        assertThat(users.upsert(new UserCredential("x".repeat(256), 1000, new byte[16], new byte[32])))
            .isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(users.upsert(new UserCredential("ANONYMOUS", 1000, new byte[16], new byte[32])))
            .isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(users.upsert(new UserCredential("dave", 10, new byte[16], new byte[32])))
            .isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(users.upsert(new UserCredential("dave", 1000, new byte[16], new byte[3])))
            .isEqualTo(ErrorCode.INVALID_REQUEST.value());

        assertThat(users.delete("nobody")).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(users.delete("alice")).isEqualTo(ErrorCode.NONE.value());
        assertThat(users.get("alice")).isNull();
        assertThat(users.all()).extracting(UserCredential::name).containsExactly("bob");
    }

    @Test
    void aclStoreValidatesCapsAndKeepsOrder()
    {
        final AclStore acls = new AclStore(2);
        final AclBinding read = new AclBinding("User:alice", AclResourceType.TOPIC, "t", AclOperation.READ,
            AclPermission.ALLOW);
        final AclBinding write = new AclBinding("User:*", AclResourceType.TOPIC, "*", AclOperation.WRITE,
            AclPermission.DENY);

        assertThat(acls.add(write)).isEqualTo(ErrorCode.NONE.value());
        assertThat(acls.lastChanged()).isTrue();
        assertThat(acls.add(read)).isEqualTo(ErrorCode.NONE.value());
        assertThat(acls.add(read)).isEqualTo(ErrorCode.NONE.value());
        assertThat(acls.lastChanged()).isFalse();
        assertThat(acls.add(new AclBinding("User:bob", AclResourceType.GROUP, "g", AclOperation.READ,
            AclPermission.ALLOW))).isEqualTo(ErrorCode.LIMIT_REACHED.value());
        assertThat(acls.add(new AclBinding("alice", AclResourceType.GROUP, "g", AclOperation.READ,
            AclPermission.ALLOW))).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(acls.add(new AclBinding("User:bob", AclResourceType.CLUSTER, "other", AclOperation.ALTER,
            AclPermission.ALLOW))).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(acls.all()).containsExactly(write, read);

        assertThat(acls.remove(write)).isEqualTo(ErrorCode.NONE.value());
        assertThat(acls.lastChanged()).isTrue();
        acls.remove(write);
        assertThat(acls.lastChanged()).isFalse();
        acls.restore(List.of(write, read));
        assertThat(acls.all()).containsExactly(write, read);
    }
}
