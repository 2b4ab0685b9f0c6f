package io.aerolog.transport;

import io.aerolog.codecs.wire.ConnectEncoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import uk.co.real_logic.sbe.ir.Token;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class FrameValidatorTest
{
    private static FrameValidator validator(final String schema)
    {
        switch (schema)
        {
            case "aerolog-wire":
                return FrameValidator.wire();
            case "aerolog-log":
                return FrameValidator.log();
            case "aerolog-replica":
                return FrameValidator.replica();
            default:
                return FrameValidator.cluster();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"aerolog-wire", "aerolog-log", "aerolog-cluster", "aerolog-replica"})
    void acceptsWellFormedFramesOfEveryMessageAndTheyDecode(final String schema) throws Exception
    {
        final SchemaFrames frames = new SchemaFrames(schema);
        final FrameValidator validator = validator(schema);
        final Random random = new Random(42);
        for (final List<Token> message : frames.messages())
        {
            for (int i = 0; i < 20; i++)
            {
                final byte[] frame = frames.frame(message, random);
                assertThat(validator.check(new UnsafeBuffer(frame), 0, frame.length))
                    .as("%s %s", schema, message.get(0).name()).isNull();
                frames.decodeFully(message, new UnsafeBuffer(frame), 0);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"aerolog-wire", "aerolog-log", "aerolog-cluster", "aerolog-replica"})
    void refusesEveryTruncationOfAWellFormedFrame(final String schema) throws Exception
    {
        final SchemaFrames frames = new SchemaFrames(schema);
        final FrameValidator validator = validator(schema);
        final Random random = new Random(7);
        for (final List<Token> message : frames.messages())
        {
            final byte[] frame = frames.frame(message, random);
            for (int length = 0; length < frame.length; length++)
            {
                assertThat(validator.check(new UnsafeBuffer(frame), 0, length))
                    .as("%s %s cut to %d of %d", schema, message.get(0).name(), length, frame.length).isNotNull();
            }
        }
    }

    @Test
    void refusesAHugeVarDataLengthInAConnectBeforeAnythingIsDecoded()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocate(256));
        final ConnectEncoder encoder = new ConnectEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(1).clientVersion(1).responseStreamId(12).dataStreamId(13).produceSessionId(1)
            .responseChannel("aeron:ipc").dataChannel("aeron:ipc").clientName("x").userName("").password("");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isNull();

        final int responseChannelLengthAt = MessageHeaderEncoder.ENCODED_LENGTH + ConnectEncoder.BLOCK_LENGTH;
        buffer.putInt(responseChannelLengthAt, 0x7fff_ffff, ByteOrder.LITTLE_ENDIAN);
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isEqualTo(FrameValidator.BAD_VAR_DATA);
        buffer.putInt(responseChannelLengthAt, 0xffff_fff0, ByteOrder.LITTLE_ENDIAN); // negative as an int
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isEqualTo(FrameValidator.BAD_VAR_DATA);
    }

    @Test
    void readsAVersionOneConnectWithoutTheFieldsVersionTwoAdded()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocate(256));
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final ConnectEncoder encoder = new ConnectEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(1).clientVersion(1).responseStreamId(12).dataStreamId(13).produceSessionId(1)
            .responseChannel("aeron:ipc").dataChannel("aeron:ipc").clientName("old");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isEqualTo(FrameValidator.BAD_VAR_DATA);
        header.version(1);
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isNull();
    }

    @Test
    void refusesWrongSchemaVersionTemplateAndShortBlock()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocate(256));
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final ConnectEncoder encoder = new ConnectEncoder().wrapAndApplyHeader(buffer, 0, header)
            .responseChannel("").dataChannel("").clientName("").userName("").password("");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();

        header.schemaId(999);
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isEqualTo(FrameValidator.UNKNOWN_SCHEMA);
        header.schemaId(ConnectEncoder.SCHEMA_ID).version(ConnectEncoder.SCHEMA_VERSION + 1);
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isEqualTo(FrameValidator.UNSUPPORTED_VERSION);
        header.version(ConnectEncoder.SCHEMA_VERSION).templateId(60_000);
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isEqualTo(FrameValidator.UNKNOWN_TEMPLATE);
        header.templateId(ConnectEncoder.TEMPLATE_ID).blockLength(ConnectEncoder.BLOCK_LENGTH - 1);
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isEqualTo(FrameValidator.BAD_BLOCK);
        assertThat(FrameValidator.wire().check(buffer, 0, 3)).isEqualTo(FrameValidator.SHORT_HEADER);
    }

    @Test
    void aGroupCountThatTheFrameCannotHoldIsRefusedWithoutWalkingIt()
    {
        // TopicList: a group of topics. Declare 65535 elements in a frame that holds none.
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocate(256));
        final io.aerolog.codecs.wire.TopicListEncoder e = new io.aerolog.codecs.wire.TopicListEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        e.topicsCount(0);
        final int groupHeaderAt = MessageHeaderEncoder.ENCODED_LENGTH + io.aerolog.codecs.wire.TopicListEncoder.BLOCK_LENGTH;
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isNull();
        buffer.putShort(groupHeaderAt + 2, (short)0xffff, ByteOrder.LITTLE_ENDIAN);
        assertThat(FrameValidator.wire().check(buffer, 0, length)).isEqualTo(FrameValidator.BAD_GROUP);
    }
}
