package io.aerolog.transport;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import uk.co.real_logic.sbe.PrimitiveType;
import uk.co.real_logic.sbe.ir.Ir;
import uk.co.real_logic.sbe.ir.IrDecoder;
import uk.co.real_logic.sbe.ir.Signal;
import uk.co.real_logic.sbe.ir.Token;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The one checked reader every frame goes through before a generated decoder touches it. SBE's generated getters
 * trust the lengths a frame declares: a var-data length of {@code 0x7fffffff} makes a string getter allocate 2 GiB
 * before any bounds check, and a group count walks past the frame. This validator walks the frame by the schema's
 * IR (shipped with the codecs) and checks, before anything is decoded:
 * <ul>
 *     <li>the message header: a known schema id, a version this side reads, a known template id, and a block length
 *     at least as long as the fields of that version;</li>
 *     <li>every repeating group: its dimension header within the frame, a block length covering the group's fields,
 *     every element within the frame (and no more elements than the frame has bytes, so zero-length elements
 *     cannot make a walk of billions of steps);</li>
 *     <li>every var-data field: its length header within the frame and its length no more than the bytes left.</li>
 * </ul>
 * Once {@link #check} returns null, every getter of the generated decoder reads within the frame, so no declared
 * length can make it allocate more than the frame holds. Allocation-free; one instance may be shared by threads
 * (it keeps no state between calls).
 */
public final class FrameValidator
{
    /** Problem: the frame is shorter than a message header. */
    public static final String SHORT_HEADER = "frame shorter than a message header";
    /** Problem: the header names another schema. */
    public static final String UNKNOWN_SCHEMA = "unknown schema id";
    /** Problem: the header names a version this side does not read. */
    public static final String UNSUPPORTED_VERSION = "unsupported schema version";
    /** Problem: the header names a template the schema does not have. */
    public static final String UNKNOWN_TEMPLATE = "unknown template id";
    /** Problem: the block is shorter than its fields, or runs past the frame. */
    public static final String BAD_BLOCK = "message block shorter than its fields or longer than the frame";
    /** Problem: a group header, block or element lies outside the frame. */
    public static final String BAD_GROUP = "repeating group outside the frame";
    /** Problem: a var-data length runs past the frame. */
    public static final String BAD_VAR_DATA = "variable-length field longer than the frame";

    private static final int HEADER_LENGTH = 8;
    private static final int MAX_DEPTH = 8;
    private static final int MAX_VERSION = 64;

    private static volatile FrameValidator wire;
    private static volatile FrameValidator log;
    private static volatile FrameValidator cluster;
    private static volatile FrameValidator replica;

    private final int schemaId;
    private final int schemaVersion;
    private final ByteOrder byteOrder;
    private final Int2ObjectHashMap<Layout> layoutsByTemplateId = new Int2ObjectHashMap<>();

    private FrameValidator(final Ir ir)
    {
        schemaId = ir.id();
        schemaVersion = ir.version();
        byteOrder = ir.byteOrder();
        for (final List<Token> tokens : ir.messages())
        {
            final Token message = tokens.get(0);
            final Layout layout = new Layout();
            parseBody(tokens, 1, tokens.size() - 1, layout, 0);
            layout.seal();
            layoutsByTemplateId.put(message.id(), layout);
        }
    }

    /** @return the validator of the client/broker protocol (aerolog-wire.xml). */
    public static FrameValidator wire()
    {
        FrameValidator v = wire;
        if (null == v)
        {
            v = wire = load("aerolog-wire");
        }
        return v;
    }

    /** @return the validator of the partition log stream (aerolog-log.xml). */
    public static FrameValidator log()
    {
        FrameValidator v = log;
        if (null == v)
        {
            v = log = load("aerolog-log");
        }
        return v;
    }

    /** @return the validator of controller commands, events and snapshots (aerolog-cluster.xml). */
    public static FrameValidator cluster()
    {
        FrameValidator v = cluster;
        if (null == v)
        {
            v = cluster = load("aerolog-cluster");
        }
        return v;
    }

    /** @return the validator of the broker-to-broker replica channel (aerolog-replica.xml). */
    public static FrameValidator replica()
    {
        FrameValidator v = replica;
        if (null == v)
        {
            v = replica = load("aerolog-replica");
        }
        return v;
    }

    /** @return the schema id this validator accepts. */
    public int schemaId()
    {
        return schemaId;
    }

    /**
     * @param templateId of a message.
     * @return true when the schema has that template.
     */
    public boolean hasTemplate(final int templateId)
    {
        return layoutsByTemplateId.containsKey(templateId);
    }

    /**
     * Checks a whole frame: header, block, groups and var data.
     *
     * @param buffer holding the frame.
     * @param offset of the frame (its message header).
     * @param length of the frame.
     * @return null when every declared length lies within the frame, else a constant description of the problem.
     */
    public String check(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH || offset < 0 || (long)offset + length > buffer.capacity())
        {
            return SHORT_HEADER;
        }
        final int blockLength = buffer.getShort(offset, byteOrder) & 0xFFFF;
        final int templateId = buffer.getShort(offset + 2, byteOrder) & 0xFFFF;
        final int frameSchemaId = buffer.getShort(offset + 4, byteOrder) & 0xFFFF;
        final int version = buffer.getShort(offset + 6, byteOrder) & 0xFFFF;
        if (frameSchemaId != schemaId)
        {
            return UNKNOWN_SCHEMA;
        }
        if (version < 1 || version > schemaVersion)
        {
            return UNSUPPORTED_VERSION;
        }
        final Layout layout = layoutsByTemplateId.get(templateId);
        if (null == layout)
        {
            return UNKNOWN_TEMPLATE;
        }
        final long end = (long)offset + length;
        final long bodyStart = (long)offset + HEADER_LENGTH;
        if (blockLength < layout.minBlockLength(version) || bodyStart + blockLength > end)
        {
            return BAD_BLOCK;
        }
        final long result = walk(layout, buffer, bodyStart + blockLength, end, version);
        return result >= 0 ? null : PROBLEMS[(int)-result];
    }

    private static final String[] PROBLEMS = {null, BAD_GROUP, BAD_VAR_DATA};
    private static final long GROUP_PROBLEM = -1;
    private static final long VAR_DATA_PROBLEM = -2;

    // Returns the position after the groups and var data of one level, or a negative problem code. Every element
    // walked consumes at least one byte of the frame (elements of no bytes at all are skipped in one step), so a frame
    // of n bytes is walked in O(n) steps whatever its counts say.
    private long walk(
        final Layout layout, final DirectBuffer buffer, final long start, final long end, final int version)
    {
        long position = start;
        for (final Group group : layout.groups)
        {
            if (version < group.sinceVersion)
            {
                continue;
            }
            if (position + group.headerLength > end)
            {
                return GROUP_PROBLEM;
            }
            final int blockLength = (int)read(buffer, (int)position + group.blockLengthOffset, group.blockLengthType);
            final long count = read(buffer, (int)position + group.countOffset, group.countType);
            position += group.headerLength;
            final long minElementLength = blockLength + group.body.minChildrenLength(version);
            if (blockLength < group.body.minBlockLength(version) || count < 0 ||
                count * minElementLength > end - position)
            {
                return GROUP_PROBLEM;
            }
            if (0 == minElementLength)
            {
                continue; // elements of no bytes: nothing to walk
            }
            for (long i = 0; i < count; i++)
            {
                if (position + blockLength > end)
                {
                    return GROUP_PROBLEM;
                }
                position += blockLength;
                if (group.body.hasChildren())
                {
                    position = walk(group.body, buffer, position, end, version);
                    if (position < 0)
                    {
                        return position;
                    }
                }
            }
        }
        for (final VarData varData : layout.varData)
        {
            if (version < varData.sinceVersion)
            {
                continue;
            }
            if (position + varData.headerLength > end)
            {
                return VAR_DATA_PROBLEM;
            }
            final long dataLength = read(buffer, (int)position + varData.lengthOffset, varData.lengthType);
            position += varData.headerLength;
            if (dataLength < 0 || dataLength > end - position)
            {
                return VAR_DATA_PROBLEM;
            }
            position += dataLength;
        }
        return position;
    }

    private long read(final DirectBuffer buffer, final int index, final PrimitiveType type)
    {
        switch (type)
        {
            case UINT8:
                return buffer.getByte(index) & 0xFF;
            case UINT16:
                return buffer.getShort(index, byteOrder) & 0xFFFF;
            case UINT32:
                return buffer.getInt(index, byteOrder) & 0xFFFF_FFFFL;
            case INT8:
                return buffer.getByte(index);
            case INT16:
                return buffer.getShort(index, byteOrder);
            case INT32:
                return buffer.getInt(index, byteOrder);
            default:
                return buffer.getLong(index, byteOrder);
        }
    }

    // ---------------------------------------------------------------- IR to layout

    private static FrameValidator load(final String schemaName)
    {
        final String resource = "/io/aerolog/codecs/ir/" + schemaName + ".sbeir";
        try (InputStream in = FrameValidator.class.getResourceAsStream(resource))
        {
            if (null == in)
            {
                throw new IllegalStateException("schema IR not on the class path: " + resource);
            }
            final byte[] bytes = in.readAllBytes();
            final ByteBuffer irBuffer = ByteBuffer.allocateDirect(bytes.length);
            irBuffer.put(bytes).flip();
            try (IrDecoder decoder = new IrDecoder(irBuffer))
            {
                return new FrameValidator(decoder.decode());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    // Fills a layout from tokens [from, to): fields (for the minimum block length), then groups, then var data.
    private static void parseBody(final List<Token> tokens, final int from, final int to, final Layout layout,
        final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw new IllegalStateException("groups nested deeper than " + MAX_DEPTH);
        }
        int i = from;
        while (i < to)
        {
            final Token token = tokens.get(i);
            final Signal signal = token.signal();
            if (Signal.BEGIN_FIELD == signal)
            {
                final Token type = tokens.get(i + 1);
                if (!type.isConstantEncoding())
                {
                    layout.field(token.version(), token.offset() + type.encodedLength());
                }
            }
            else if (Signal.BEGIN_GROUP == signal)
            {
                layout.groupList.add(parseGroup(tokens, i, depth));
            }
            else if (Signal.BEGIN_VAR_DATA == signal)
            {
                layout.varDataList.add(parseVarData(tokens, i));
            }
            i += Math.max(1, token.componentTokenCount());
        }
    }

    private static Group parseGroup(final List<Token> tokens, final int begin, final int depth)
    {
        final Token groupToken = tokens.get(begin);
        final Token dimensions = tokens.get(begin + 1);
        final int dimensionsEnd = begin + 1 + dimensions.componentTokenCount();
        Token blockLength = null;
        Token numInGroup = null;
        for (int i = begin + 2; i < dimensionsEnd - 1; i++)
        {
            final Token t = tokens.get(i);
            if ("blockLength".equals(t.name()))
            {
                blockLength = t;
            }
            else if ("numInGroup".equals(t.name()))
            {
                numInGroup = t;
            }
        }
        if (null == blockLength || null == numInGroup)
        {
            throw new IllegalStateException("group " + groupToken.name() + " has no blockLength/numInGroup");
        }
        final Layout body = new Layout();
        parseBody(tokens, dimensionsEnd, begin + groupToken.componentTokenCount() - 1, body, depth + 1);
        body.seal();
        return new Group(groupToken.version(), dimensions.encodedLength(),
            blockLength.offset(), blockLength.encoding().primitiveType(),
            numInGroup.offset(), numInGroup.encoding().primitiveType(), body);
    }

    private static VarData parseVarData(final List<Token> tokens, final int begin)
    {
        final Token varDataToken = tokens.get(begin);
        final Token length = tokens.get(begin + 2);
        final Token data = tokens.get(begin + 3);
        if (!"length".equals(length.name()))
        {
            throw new IllegalStateException("var data " + varDataToken.name() + " has no length first");
        }
        return new VarData(varDataToken.version(), data.offset(), length.offset(), length.encoding().primitiveType());
    }

    private static final class Layout
    {
        final List<Group> groupList = new ArrayList<>();
        final List<VarData> varDataList = new ArrayList<>();
        private final List<int[]> fieldEnds = new ArrayList<>(); // {sinceVersion, end offset}
        Group[] groups;
        VarData[] varData;
        private int[] minBlockLengthByVersion;
        private int[] minChildrenLengthByVersion;

        void field(final int sinceVersion, final int endOffset)
        {
            fieldEnds.add(new int[]{sinceVersion, endOffset});
        }

        // Arrays, precomputed per version: the walk then allocates nothing (no iterators).
        void seal()
        {
            groups = groupList.toArray(new Group[0]);
            varData = varDataList.toArray(new VarData[0]);
            final int versions = MAX_VERSION + 1;
            minBlockLengthByVersion = new int[versions];
            minChildrenLengthByVersion = new int[versions];
            for (int version = 0; version < versions; version++)
            {
                int min = 0;
                for (final int[] field : fieldEnds)
                {
                    if (field[0] <= version && field[1] > min)
                    {
                        min = field[1];
                    }
                }
                minBlockLengthByVersion[version] = min;
                int children = 0;
                for (final Group group : groups)
                {
                    children += group.sinceVersion <= version ? group.headerLength : 0;
                }
                for (final VarData data : varData)
                {
                    children += data.sinceVersion <= version ? data.headerLength : 0;
                }
                minChildrenLengthByVersion[version] = children;
            }
        }

        boolean hasChildren()
        {
            return groups.length > 0 || varData.length > 0;
        }

        // The block must hold every field that exists in the sender's version.
        int minBlockLength(final int version)
        {
            return minBlockLengthByVersion[Math.min(version, MAX_VERSION)];
        }

        // Each element holds at least the headers of its groups and var data.
        int minChildrenLength(final int version)
        {
            return minChildrenLengthByVersion[Math.min(version, MAX_VERSION)];
        }
    }

    private static final class Group
    {
        final int sinceVersion;
        final int headerLength;
        final int blockLengthOffset;
        final PrimitiveType blockLengthType;
        final int countOffset;
        final PrimitiveType countType;
        final Layout body;

        Group(final int sinceVersion, final int headerLength, final int blockLengthOffset,
            final PrimitiveType blockLengthType, final int countOffset, final PrimitiveType countType,
            final Layout body)
        {
            this.sinceVersion = sinceVersion;
            this.headerLength = headerLength;
            this.blockLengthOffset = blockLengthOffset;
            this.blockLengthType = blockLengthType;
            this.countOffset = countOffset;
            this.countType = countType;
            this.body = body;
        }
    }

    private static final class VarData
    {
        final int sinceVersion;
        final int headerLength;
        final int lengthOffset;
        final PrimitiveType lengthType;

        VarData(final int sinceVersion, final int dataOffset, final int lengthOffset, final PrimitiveType lengthType)
        {
            this.sinceVersion = sinceVersion;
            this.headerLength = dataOffset;
            this.lengthOffset = lengthOffset;
            this.lengthType = lengthType;
        }
    }
}
