package io.aerolog.transport;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.agrona.concurrent.UnsafeBuffer;
import uk.co.real_logic.sbe.ir.Token;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based fuzzing of the one checked reader: well-formed frames of every message of every schema, with bytes
 * overwritten, inserted or cut at random. Whatever the bytes, {@link FrameValidator#check} never throws, and a frame
 * it accepts decodes fully through the generated decoder without an exception and without reading past the frame.
 * The normal build runs 3,000 tries (junit-platform.properties); {@code mvn verify -Pfuzz} a million.
 */
class FrameValidatorFuzzTest
{
    private static final String[] SCHEMAS = {"aerolog-wire", "aerolog-log", "aerolog-cluster", "aerolog-replica"};
    private static final SchemaFrames[] FRAMES = new SchemaFrames[SCHEMAS.length];
    private static final FrameValidator[] VALIDATORS =
        {FrameValidator.wire(), FrameValidator.log(), FrameValidator.cluster(), FrameValidator.replica()};

    static
    {
        try
        {
            for (int i = 0; i < SCHEMAS.length; i++)
            {
                FRAMES[i] = new SchemaFrames(SCHEMAS[i]);
            }
        }
        catch (final Exception ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @Property
    void acceptedFramesDecodeWithinTheirBytes(@ForAll("mutatedFrames") final Tuple.Tuple3<Integer, Integer, byte[]> input)
        throws Exception
    {
        final int schema = input.get1();
        final byte[] frame = input.get3();
        // The frame sits at the start of a view of exactly its length: any read outside it throws.
        final UnsafeBuffer view = new UnsafeBuffer(frame);
        final String problem = VALIDATORS[schema].check(view, 0, frame.length);
        if (null == problem)
        {
            final List<Token> message = messageByTemplate(schema, view.getShort(2) & 0xFFFF);
            assertThat(message).isNotNull();
            FRAMES[schema].decodeFully(message, view, 0);
        }
    }

    private static List<Token> messageByTemplate(final int schema, final int templateId)
    {
        for (final List<Token> message : FRAMES[schema].messages())
        {
            if (message.get(0).id() == templateId)
            {
                return message;
            }
        }
        return null;
    }

    @Provide
    Arbitrary<Tuple.Tuple3<Integer, Integer, byte[]>> mutatedFrames()
    {
        return Arbitraries.integers().between(0, SCHEMAS.length - 1).flatMap(schema ->
            Arbitraries.integers().between(0, FRAMES[schema].messages().size() - 1).flatMap(message ->
                Arbitraries.longs().map(seed ->
                {
                    final Random random = new Random(seed);
                    return Tuple.of(schema, message,
                        FRAMES[schema].mutatedFrame(FRAMES[schema].messages().get(message), random));
                })));
    }
}
