package io.aerolog.cluster.security;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static io.aerolog.cluster.security.AclOperation.ALL;
import static io.aerolog.cluster.security.AclOperation.ALTER;
import static io.aerolog.cluster.security.AclOperation.CREATE;
import static io.aerolog.cluster.security.AclOperation.DELETE;
import static io.aerolog.cluster.security.AclOperation.DESCRIBE;
import static io.aerolog.cluster.security.AclOperation.READ;
import static io.aerolog.cluster.security.AclOperation.WRITE;
import static io.aerolog.cluster.security.AclPermission.ALLOW;
import static io.aerolog.cluster.security.AclPermission.DENY;
import static io.aerolog.cluster.security.AclResourceType.CLUSTER;
import static io.aerolog.cluster.security.AclResourceType.GROUP;
import static io.aerolog.cluster.security.AclResourceType.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthorizerTest
{
    private static final String ALICE = "User:alice";
    private static final String BOB = "User:bob";

    @Test
    void aResourceNoAclNamesFollowsAllowEveryoneIfNoAclFound()
    {
        final Authorizer open = new Authorizer(Set.of(), true);
        final Authorizer closed = new Authorizer(Set.of(), false);

        assertThat(open.authorize(ALICE, WRITE, TOPIC, "orders")).isTrue();
        assertThat(open.authorize(Principals.ANONYMOUS, DELETE, GROUP, "billing")).isTrue();
        assertThat(closed.authorize(ALICE, WRITE, TOPIC, "orders")).isFalse();

        // An ACL on another topic leaves this one open.
        open.add(new AclBinding(BOB, TOPIC, "payments", READ, ALLOW));
        assertThat(open.authorize(ALICE, WRITE, TOPIC, "orders")).isTrue();
        assertThat(open.authorize(ALICE, READ, TOPIC, "payments")).isFalse();
    }

    @Test
    void onceAnAclNamesAResourceOnlyWhatItAllowsIsAllowed()
    {
        final Authorizer authorizer = new Authorizer(Set.of(), true);
        authorizer.add(new AclBinding(ALICE, TOPIC, "orders", READ, ALLOW));

        assertThat(authorizer.authorize(ALICE, READ, TOPIC, "orders")).isTrue();
        assertThat(authorizer.authorize(ALICE, WRITE, TOPIC, "orders")).isFalse();
        assertThat(authorizer.authorize(BOB, READ, TOPIC, "orders")).isFalse();
        assertThat(authorizer.authorize(Principals.ANONYMOUS, READ, TOPIC, "orders")).isFalse();
        // The same name as a group is another resource.
        assertThat(authorizer.authorize(BOB, READ, GROUP, "orders")).isTrue();
    }

    @Test
    void denyWinsOverAllow()
    {
        final Authorizer authorizer = new Authorizer(Set.of(), true);
        authorizer.add(new AclBinding(Principals.WILDCARD, TOPIC, "orders", ALL, ALLOW));
        authorizer.add(new AclBinding(BOB, TOPIC, "orders", WRITE, DENY));

        assertThat(authorizer.authorize(ALICE, WRITE, TOPIC, "orders")).isTrue();
        assertThat(authorizer.authorize(BOB, WRITE, TOPIC, "orders")).isFalse();
        assertThat(authorizer.authorize(BOB, READ, TOPIC, "orders")).isTrue();

        // A wildcard deny beats a literal allow, and a deny of ALL denies every operation.
        authorizer.add(new AclBinding(ALICE, TOPIC, "*", ALL, DENY));
        assertThat(authorizer.authorize(ALICE, READ, TOPIC, "orders")).isFalse();
        assertThat(authorizer.authorize(ALICE, DESCRIBE, TOPIC, "other")).isFalse();
    }

    @Test
    void wildcardPrincipalAndResourceMatchEveryone()
    {
        final Authorizer authorizer = new Authorizer(Set.of(), false);
        authorizer.add(new AclBinding(Principals.WILDCARD, TOPIC, AclBinding.WILDCARD_RESOURCE, READ, ALLOW));

        assertThat(authorizer.authorize(ALICE, READ, TOPIC, "orders")).isTrue();
        assertThat(authorizer.authorize(Principals.ANONYMOUS, READ, TOPIC, "anything")).isTrue();
        assertThat(authorizer.authorize(ALICE, WRITE, TOPIC, "orders")).isFalse();
        assertThat(authorizer.authorize(ALICE, READ, GROUP, "g")).isFalse();
    }

    @Test
    void readWriteDeleteAndAlterImplyDescribeButCreateDoesNot()
    {
        final Authorizer authorizer = new Authorizer(Set.of(), false);
        authorizer.add(new AclBinding(ALICE, TOPIC, "r", READ, ALLOW));
        authorizer.add(new AclBinding(ALICE, TOPIC, "w", WRITE, ALLOW));
        authorizer.add(new AclBinding(ALICE, GROUP, "d", DELETE, ALLOW));
        authorizer.add(new AclBinding(ALICE, CLUSTER, Authorizer.CLUSTER_NAME, ALTER, ALLOW));
        authorizer.add(new AclBinding(ALICE, TOPIC, "c", CREATE, ALLOW));

        assertThat(authorizer.authorize(ALICE, DESCRIBE, TOPIC, "r")).isTrue();
        assertThat(authorizer.authorize(ALICE, DESCRIBE, TOPIC, "w")).isTrue();
        assertThat(authorizer.authorize(ALICE, DESCRIBE, GROUP, "d")).isTrue();
        assertThat(authorizer.authorize(ALICE, DESCRIBE, CLUSTER, Authorizer.CLUSTER_NAME)).isTrue();
        assertThat(authorizer.authorize(ALICE, DESCRIBE, TOPIC, "c")).isFalse();
        // Describe does not imply read.
        authorizer.add(new AclBinding(BOB, TOPIC, "r", DESCRIBE, ALLOW));
        assertThat(authorizer.authorize(BOB, READ, TOPIC, "r")).isFalse();
    }

    @Test
    void aSuperUserMayDoAnythingEvenWhenDenied()
    {
        final Authorizer authorizer = new Authorizer(Authorizer.parseSuperUsers("User:admin; User:ops"), false);
        authorizer.add(new AclBinding("User:admin", TOPIC, "orders", ALL, DENY));

        assertThat(authorizer.authorize("User:admin", DELETE, TOPIC, "orders")).isTrue();
        assertThat(authorizer.authorize("User:ops", ALTER, CLUSTER, Authorizer.CLUSTER_NAME)).isTrue();
        assertThat(authorizer.authorize(ALICE, ALTER, CLUSTER, Authorizer.CLUSTER_NAME)).isFalse();
    }

    @Test
    void removingTheLastAclOfAResourceOpensItAgain()
    {
        final Authorizer authorizer = new Authorizer(Set.of(), true);
        final AclBinding binding = new AclBinding(ALICE, TOPIC, "orders", READ, ALLOW);
        authorizer.add(binding);
        authorizer.add(binding);
        assertThat(authorizer.size()).isEqualTo(1);
        assertThat(authorizer.authorize(BOB, READ, TOPIC, "orders")).isFalse();

        authorizer.remove(binding);
        assertThat(authorizer.size()).isZero();
        assertThat(authorizer.authorize(BOB, READ, TOPIC, "orders")).isTrue();
    }

    @Test
    void superUsersMustBeSingleUsers()
    {
        assertThat(Authorizer.parseSuperUsers(null)).isEmpty();
        assertThat(Authorizer.parseSuperUsers(" ; ")).isEmpty();
        assertThatThrownBy(() -> Authorizer.parseSuperUsers("User:*")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Authorizer.parseSuperUsers("admin")).isInstanceOf(IllegalArgumentException.class);
    }
}
