package io.aerolog.transport;

import io.aerolog.codecs.wire.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

/**
 * Constants of the client/broker protocol: stream ids, default endpoints and the frame checks every decoder
 * applies before it trusts a frame.
 */
public final class Wire
{
    /** Protocol version a client announces in {@code Connect}. */
    public static final int CLIENT_VERSION = 1;

    /** Broker ingress stream for control requests (sessions, admin, fetch). */
    public static final int CONTROL_STREAM_ID = 10;

    /** Broker ingress stream for produce requests: a separate stream so the data path has its own thread. */
    public static final int PRODUCE_STREAM_ID = 11;

    /** Client stream on which the broker answers requests. */
    public static final int RESPONSE_STREAM_ID = 12;

    /** Client stream on which partition data arrives. */
    public static final int DATA_STREAM_ID = 13;

    /** Default first port of a broker; the client ingress listens on it and the rest follow it. */
    public static final int DEFAULT_PORT_BASE = 9090;

    /** Default host a broker binds and clients connect to. */
    public static final String DEFAULT_HOST = "localhost";

    /** System property naming the Aeron directory shared by a broker and the clients on its host. */
    public static final String AERON_DIR_PROP_NAME = "aerolog.aeron.dir";

    /** Longest name, in bytes, anywhere: topics, groups, members, instances, clients, users (as Kafka's 255). */
    public static final int MAX_NAME_LENGTH = 255;

    /** Per-record bookkeeping in a RecordSet besides key and value: timestamp, flags, lengths, header group. */
    public static final int RECORD_OVERHEAD_BYTES = 8 + 1 + 4 + 4 + 4;

    private Wire()
    {
    }

    /**
     * The Aeron directory broker and local clients share: {@code -Daerolog.aeron.dir}, else {@code /dev/shm}
     * (or the temp dir where there is none) {@code /aerolog-<user>}.
     *
     * @return the directory name.
     */
    public static String defaultAeronDirectoryName()
    {
        final String configured = System.getProperty(AERON_DIR_PROP_NAME);
        if (null != configured && !configured.isEmpty())
        {
            return configured;
        }
        final String base = new java.io.File("/dev/shm").isDirectory() ?
            "/dev/shm" : System.getProperty("java.io.tmpdir");
        return base + "/aerolog-" + System.getProperty("user.name", "default");
    }

    /**
     * Checks that a frame is long enough for a message header and that the header names the expected schema with a
     * version this side can read.
     *
     * @param buffer   holding the frame.
     * @param offset   of the frame.
     * @param length   of the frame.
     * @param header   decoder to wrap the header with.
     * @param schemaId expected.
     * @param version  highest version understood.
     * @return null when the frame is acceptable, otherwise why not.
     */
    public static String checkHeader(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final MessageHeaderDecoder header,
        final int schemaId,
        final int version)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return "frame shorter than a message header";
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != schemaId)
        {
            return "unknown schema id";
        }
        if (header.version() > version || header.version() < 1)
        {
            return "unsupported schema version";
        }
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength())
        {
            return "frame shorter than its block";
        }
        return null;
    }

    /**
     * Checks a frame of the partition log stream: long enough, log schema, readable version.
     *
     * @param buffer holding the frame.
     * @param offset of the frame.
     * @param length of the frame.
     * @param header log-schema header decoder to wrap.
     * @return null when acceptable, otherwise why not.
     */
    public static String checkHeaderLog(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final io.aerolog.codecs.log.MessageHeaderDecoder header)
    {
        if (length < io.aerolog.codecs.log.MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return "frame shorter than a message header";
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != io.aerolog.codecs.log.MessageHeaderDecoder.SCHEMA_ID)
        {
            return "unknown schema id";
        }
        if (header.version() > io.aerolog.codecs.log.MessageHeaderDecoder.SCHEMA_VERSION || header.version() < 1)
        {
            return "unsupported schema version";
        }
        if (length < io.aerolog.codecs.log.MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength())
        {
            return "frame shorter than its block";
        }
        return null;
    }
}
