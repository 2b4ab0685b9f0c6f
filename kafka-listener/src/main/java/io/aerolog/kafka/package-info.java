/**
 * The Kafka-protocol listener: a TCP port beside a broker that speaks Kafka's wire protocol, so that kcat,
 * kafka-clients and the tools built on them read and write Aerolog topics. Start one with
 * {@link io.aerolog.kafka.KafkaListener#start}; a broker does so itself when {@code kafka.listener.port} is set.
 */
package io.aerolog.kafka;
