package io.aerolog.broker;

import io.aerolog.kafka.KafkaListener;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * Reads a broker config file's settings into a {@link Broker.Context}: each key present sets its setting, an absent
 * one keeps the default, and a value that does not parse is an error naming the key.
 */
final class BrokerProperties
{
    private final Properties properties;

    private BrokerProperties(final Properties properties)
    {
        this.properties = properties;
    }

    /**
     * @param p the properties.
     * @return a context with the settings they hold.
     * @throws IllegalArgumentException naming a key whose value does not parse.
     */
    static Broker.Context read(final Properties p)
    {
        final Broker.Context ctx = new Broker.Context();
        final BrokerProperties r = new BrokerProperties(p);
        r.integer("broker.id", ctx::brokerId);
        r.string("host", ctx::host);
        r.integer("port.base", ctx::portBase);
        r.string("data.dir", (value) -> ctx.dataDir(new File(value)));
        r.string("aeron.dir", ctx::aeronDirectoryName);
        r.integer("log.term.length", ctx::logTermLength);
        r.integer("log.segment.length", ctx::segmentLength);
        r.integer("log.index.interval.bytes", ctx::indexIntervalBytes);
        r.longValue("retention.check.interval.ms", ctx::retentionCheckIntervalMs);
        r.longValue("replica.lag.time.max.ms", ctx::replicaLagTimeMaxMs);
        r.longValue("session.timeout.ms", ctx::sessionTimeoutMs);
        r.longValue("broker.session.timeout.ms", ctx::brokerSessionTimeoutMs);
        r.bool("auto.leader.rebalance.enable", ctx::autoLeaderRebalanceEnable);
        r.longValue("leader.imbalance.check.interval.ms", ctx::leaderImbalanceCheckIntervalMs);
        r.integer("leader.imbalance.per.broker.percentage", ctx::leaderImbalancePerBrokerPercentage);
        r.integer("default.replication.factor", ctx::defaultReplicationFactor);
        r.integer("min.insync.replicas", ctx::minInsyncReplicas);
        r.bool("controlled.shutdown.enable", ctx::controlledShutdownEnable);
        r.longValue("controlled.shutdown.timeout.ms", ctx::controlledShutdownTimeoutMs);
        r.integer("max.client.sessions", ctx::maxClientSessions);
        r.string("profile", ctx::profile);
        r.string("process.roles", ctx::processRoles);
        r.string("controller.members", ctx::controllerMembers);
        r.string("internal.host", ctx::internalHost);
        r.string("cluster.secret", ctx::secret);
        r.string("cluster.secret.file", (value) -> ctx.secretFile(new File(value)));
        r.bool("authentication.required", ctx::authenticationRequired);
        r.string("super.users", ctx::superUsers);
        r.bool("allow.everyone.if.no.acl.found", ctx::allowEveryoneIfNoAclFound);
        r.string("initial.user", (name) -> ctx.initialUser(name, r.initialUserPassword()));
        r.kafkaListener(ctx);
        return ctx;
    }

    // The Kafka-protocol listener starts when its port is set; its other keys need the port.
    private void kafkaListener(final Broker.Context ctx)
    {
        final String[] keys = {"kafka.listener.host", "kafka.advertised.host", "kafka.advertised.port",
            "kafka.auto.create.topics.enable", "kafka.num.partitions", "kafka.max.request.bytes",
            "kafka.max.connections"};
        if (null == value("kafka.listener.port"))
        {
            for (final String key : keys)
            {
                if (null != value(key))
                {
                    throw new IllegalArgumentException(key + " is set but kafka.listener.port is not: set the port " +
                        "to start the Kafka listener");
                }
            }
            return;
        }
        final KafkaListener.Config config = new KafkaListener.Config();
        // Bound where the broker's own client port is unless told otherwise.
        config.host(null != value("kafka.listener.host") ? value("kafka.listener.host") :
            null != value("host") ? value("host") : "127.0.0.1");
        integer("kafka.listener.port", config::port);
        string("kafka.advertised.host", config::advertisedHost);
        integer("kafka.advertised.port", config::advertisedPort);
        bool("kafka.auto.create.topics.enable", config::autoCreateTopics);
        integer("kafka.num.partitions", config::defaultPartitions);
        integer("kafka.max.request.bytes", config::maxFrameBytes);
        integer("kafka.max.connections", config::maxConnections);
        ctx.kafkaListener(config);
    }

    private String value(final String key)
    {
        final String value = properties.getProperty(key);
        return null == value ? null : value.trim();
    }

    private void string(final String key, final Consumer<String> setter)
    {
        final String value = value(key);
        if (null != value)
        {
            setter.accept(value);
        }
    }

    private void integer(final String key, final IntConsumer setter)
    {
        final String value = value(key);
        if (null != value)
        {
            try
            {
                setter.accept(Integer.parseInt(value));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(key + " must be a whole number: " + value);
            }
        }
    }

    private void longValue(final String key, final LongConsumer setter)
    {
        final String value = value(key);
        if (null != value)
        {
            try
            {
                setter.accept(Long.parseLong(value));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(key + " must be a whole number: " + value);
            }
        }
    }

    private void bool(final String key, final Consumer<Boolean> setter)
    {
        final String value = value(key);
        if (null != value)
        {
            if (!"true".equalsIgnoreCase(value) && !"false".equalsIgnoreCase(value))
            {
                throw new IllegalArgumentException(key + " must be true or false: " + value);
            }
            setter.accept(Boolean.parseBoolean(value));
        }
    }

    private String initialUserPassword()
    {
        final String file = value("initial.user.password.file");
        if (null != file)
        {
            try
            {
                return Files.readString(new File(file).toPath()).strip();
            }
            catch (final IOException ex)
            {
                throw new IllegalArgumentException("initial.user.password.file cannot be read: " + file, ex);
            }
        }
        final String password = value("initial.user.password");
        if (null == password)
        {
            throw new IllegalArgumentException("initial.user needs initial.user.password or initial.user.password.file");
        }
        return password;
    }
}
