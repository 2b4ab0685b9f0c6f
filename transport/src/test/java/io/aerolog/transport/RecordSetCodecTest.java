package io.aerolog.transport;

import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecordSetCodecTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final RecordSetWriter writer = new RecordSetWriter();
    private final RecordSetReader reader = new RecordSetReader();

    @Test
    void shouldRoundTripKeysValuesNullsTimestampsAndHeaders()
    {
        writer.begin(buffer, 16);
        writer.append(1000, bytes("k1"), 0, 2, bytes("value-1"), 0, 7);
        writer.append(1001, null, 0, 0, bytes("no key"), 0, 6);
        writer.append(1002, bytes("tombstone"), 0, 9, null, 0, 0);
        writer.beginRecord(1003, bytes("h"), bytes("with headers"), 2);
        writer.header("trace", bytes("abc"), 0, 3);
        writer.header("empty", bytes(""), 0, 0);
        writer.endRecord(bytes("h"), 0, 1, bytes("with headers"), 0, 12);
        final int length = writer.seal();
        assertThat(length).isEqualTo(writer.length());

        assertThat(reader.wrap(buffer, 16, length)).isEqualTo(4);
        final List<String> seen = new ArrayList<>();
        while (reader.next())
        {
            final StringBuilder headers = new StringBuilder();
            reader.forEachHeader((key, value) -> headers.append(key).append('=')
                .append(new String(value, StandardCharsets.UTF_8)).append(';'));
            seen.add(reader.timestamp() + " " + (reader.hasKey() ? text(reader.key()) : "null") + " " +
                (reader.hasValue() ? text(reader.value()) : "null") + " " + headers);
        }
        assertThat(seen).containsExactly(
            "1000 k1 value-1 ",
            "1001 null no key ",
            "1002 tombstone null ",
            "1003 h with headers trace=abc;empty=;");
        assertThat(reader.validate(buffer, 16, length, 4)).isEqualTo(1003);
    }

    @Test
    void shouldPredictEncodedLength()
    {
        writer.begin(buffer, 0);
        writer.append(1, bytes("key"), 0, 3, bytes("value"), 0, 5);
        assertThat(writer.seal()).isEqualTo(RecordSetWriter.emptyLength() + RecordSetWriter.encodedRecordLength(3, 5, 0));
    }

    @Test
    void shouldRefuseTruncatedOrMiscountedSets()
    {
        writer.begin(buffer, 0);
        writer.append(5, bytes("key"), 0, 3, bytes("value"), 0, 5);
        writer.append(6, bytes("key"), 0, 3, bytes("value"), 0, 5);
        final int length = writer.seal();

        assertThat(reader.validate(buffer, 0, length, 2)).isEqualTo(6);
        assertThat(reader.validate(buffer, 0, length, 3)).isEqualTo(Long.MIN_VALUE);
        assertThat(reader.validate(buffer, 0, length - 3, 2)).isEqualTo(Long.MIN_VALUE);
        assertThat(reader.validate(buffer, 0, 5, 2)).isEqualTo(Long.MIN_VALUE);

        final int valueLengthOffset = length - 5 - 4;
        buffer.putInt(valueLengthOffset, 1 << 20); // a length running past the frame
        assertThat(reader.validate(buffer, 0, length, 2)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void shouldRefuseWrongSchemaOrVersion()
    {
        writer.begin(buffer, 0);
        writer.append(5, bytes("key"), 0, 3, bytes("value"), 0, 5);
        final int length = writer.seal();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();

        assertThat(Wire.checkHeader(buffer, 0, length, header, MessageHeaderDecoder.SCHEMA_ID,
            MessageHeaderDecoder.SCHEMA_VERSION)).isNull();
        assertThat(Wire.checkHeader(buffer, 0, 4, header, MessageHeaderDecoder.SCHEMA_ID,
            MessageHeaderDecoder.SCHEMA_VERSION)).contains("shorter");

        new MessageHeaderEncoder().wrap(buffer, 0).schemaId(999);
        assertThat(Wire.checkHeader(buffer, 0, length, header, MessageHeaderDecoder.SCHEMA_ID,
            MessageHeaderDecoder.SCHEMA_VERSION)).contains("schema");
        assertThat(reader.wrap(buffer, 0, length)).isEqualTo(-1);

        new MessageHeaderEncoder().wrap(buffer, 0).schemaId(MessageHeaderDecoder.SCHEMA_ID)
            .version(MessageHeaderDecoder.SCHEMA_VERSION + 1);
        assertThat(Wire.checkHeader(buffer, 0, length, header, MessageHeaderDecoder.SCHEMA_ID,
            MessageHeaderDecoder.SCHEMA_VERSION)).contains("version");
    }

    private static UnsafeBuffer bytes(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(final org.agrona.DirectBuffer view)
    {
        return view.getStringWithoutLengthUtf8(0, view.capacity());
    }
}
