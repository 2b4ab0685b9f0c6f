package io.aerolog.transport;

import uk.co.real_logic.sbe.ir.Ir;
import uk.co.real_logic.sbe.ir.IrDecoder;
import uk.co.real_logic.sbe.ir.Signal;
import uk.co.real_logic.sbe.ir.Token;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Test helper: well-formed frames of every message of a schema, built from its IR with random field values, small
 * random group counts and var-data lengths; and a generic full decode through the generated decoder.
 */
public final class SchemaFrames
{
    // Reused: a million frames must not make a million 64 KiB buffers, whose collection would stall the broker
    // sharing this JVM in a hostile-input test and be counted against it.
    private static final ThreadLocal<ByteBuffer> SCRATCH =
        ThreadLocal.withInitial(() -> ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN));

    final Ir ir;
    final String schemaName;

    /**
     * @param schemaName e.g. {@code aerolog-wire}.
     * @throws Exception when its IR cannot be read.
     */
    public SchemaFrames(final String schemaName) throws Exception
    {
        this.schemaName = schemaName;
        try (InputStream in = SchemaFrames.class.getResourceAsStream("/io/aerolog/codecs/ir/" + schemaName + ".sbeir"))
        {
            final byte[] bytes = in.readAllBytes();
            final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
            buffer.put(bytes).flip();
            try (IrDecoder decoder = new IrDecoder(buffer))
            {
                ir = decoder.decode();
            }
        }
    }

    /** @return the token lists of the schema's messages. */
    public List<List<Token>> messages()
    {
        return new ArrayList<>(ir.messages());
    }

    /** A well-formed frame of the message: header, block, groups, var data. */
    public byte[] frame(final List<Token> tokens, final Random random)
    {
        final ByteBuffer out = SCRATCH.get().clear();
        final Token message = tokens.get(0);
        out.putShort((short)message.encodedLength()).putShort((short)message.id()).putShort((short)ir.id())
            .putShort((short)ir.version());
        randomBytes(out, message.encodedLength(), random);
        body(tokens, 1, tokens.size() - 1, out, random, 0);
        final byte[] frame = new byte[out.position()];
        out.flip().get(frame);
        return frame;
    }

    private void body(final List<Token> tokens, final int from, final int to, final ByteBuffer out, final Random random,
        final int depth)
    {
        int i = from;
        while (i < to)
        {
            final Token token = tokens.get(i);
            if (Signal.BEGIN_GROUP == token.signal())
            {
                final Token dimensions = tokens.get(i + 1);
                final int count = random.nextInt(depth > 0 ? 2 : 4);
                out.putShort((short)token.encodedLength()).putShort((short)count);
                final int bodyFrom = i + 1 + dimensions.componentTokenCount();
                final int bodyTo = i + token.componentTokenCount() - 1;
                for (int e = 0; e < count; e++)
                {
                    randomBytes(out, token.encodedLength(), random);
                    body(tokens, bodyFrom, bodyTo, out, random, depth + 1);
                }
            }
            else if (Signal.BEGIN_VAR_DATA == token.signal())
            {
                final int length = random.nextInt(24);
                out.putInt(length);
                for (int b = 0; b < length; b++)
                {
                    out.put((byte)('a' + random.nextInt(26)));
                }
            }
            i += Math.max(1, token.componentTokenCount());
        }
    }

    private static void randomBytes(final ByteBuffer out, final int length, final Random random)
    {
        for (int b = 0; b < length; b++)
        {
            out.put((byte)random.nextInt());
        }
    }

    /**
     * Decodes the whole frame with the generated decoder (its toString reads every field, group and var data).
     *
     * @return the decoded text.
     */
    public String decodeFully(final List<Token> tokens, final DirectBuffer buffer, final int offset) throws Exception
    {
        final Token message = tokens.get(0);
        final Class<?> decoderClass = Class.forName(ir.packageName() + "." + message.name() + "Decoder");
        final Object decoder = decoderClass.getConstructor().newInstance();
        final int blockLength = buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int version = buffer.getShort(offset + 6, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final Method wrap = decoderClass.getMethod("wrap", DirectBuffer.class, int.class, int.class, int.class);
        wrap.invoke(decoder, buffer, offset + 8, blockLength, version);
        return decoder.toString();
    }

    /**
     * A well-formed frame, then up to three mutations: bytes overwritten, a 32-bit word set to an extreme value (a
     * length or count), cut short, or grown with garbage.
     *
     * @param tokens of the message.
     * @param random source.
     * @return the frame.
     */
    public byte[] mutatedFrame(final List<Token> tokens, final Random random)
    {
        byte[] bytes = frame(tokens, random);
        final int mutations = random.nextInt(4);
        for (int m = 0; m < mutations && bytes.length > 0; m++)
        {
            switch (random.nextInt(4))
            {
                case 0:
                    bytes[random.nextInt(bytes.length)] = (byte)random.nextInt();
                    break;
                case 1:
                    if (bytes.length >= 4)
                    {
                        final int at = random.nextInt(bytes.length - 3);
                        final int value = random.nextBoolean() ? 0x7fff_ffff : random.nextBoolean() ? -1 : 0xffff;
                        new UnsafeBuffer(bytes).putInt(at, value);
                    }
                    break;
                case 2:
                    bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
                    break;
                default:
                {
                    final byte[] longer = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(16));
                    for (int i = bytes.length; i < longer.length; i++)
                    {
                        longer[i] = (byte)random.nextInt();
                    }
                    bytes = longer;
                }
            }
        }
        return bytes;
    }
}
