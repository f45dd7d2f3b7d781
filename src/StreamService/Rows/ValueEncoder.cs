using System.Text;
using Google.Protobuf;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Writes one <see cref="Value"/> as a length-delimited field 1 — the <c>values</c> field of
/// both <see cref="Row"/> and <see cref="ValueList"/> — byte for byte as Google.Protobuf would
/// serialise the message (same field order, proto3 defaults omitted except the oneof's own field).</summary>
internal static class ValueEncoder
{
    private const byte ValuesField = (1 << 3) | 2;

    // Value oneof fields (rows.proto): field number << 3 | wire type.
    private const byte NullTag = (1 << 3) | 0;
    private const byte BoolTag = (2 << 3) | 0;
    private const byte IntTag = (3 << 3) | 0;
    private const byte DoubleTag = (4 << 3) | 1;
    public const byte NumericTag = (5 << 3) | 2;
    public const byte TextTag = (6 << 3) | 2;
    private const byte BytesTag = (7 << 3) | 2;
    private const byte UuidTag = (8 << 3) | 2;
    public const byte JsonTag = (9 << 3) | 2;
    private const byte TimestampTag = (10 << 3) | 2;
    private const byte DateTag = (11 << 3) | 2;
    private const byte TimeTag = (12 << 3) | 2;
    private const byte ArrayTag = (13 << 3) | 2;

    // 0001-01-01 to 1970-01-01 in seconds (Timestamp counts from the Unix epoch).
    private const long UnixSecondsAtBclEpoch = 62_135_596_800;

    public static void WriteNull(ProtoWriter writer)
    {
        writer.WriteByte(ValuesField);
        writer.WriteByte(2);
        writer.WriteByte(NullTag);
        writer.WriteByte(0);
    }

    public static void WriteBool(ProtoWriter writer, bool value)
    {
        writer.WriteByte(ValuesField);
        writer.WriteByte(2);
        writer.WriteByte(BoolTag);
        writer.WriteByte(value ? (byte)1 : (byte)0);
    }

    public static void WriteInt(ProtoWriter writer, long value)
    {
        writer.WriteByte(ValuesField);
        writer.WriteVarint((ulong)(1 + ProtoWriter.VarintSize((ulong)value)));
        writer.WriteByte(IntTag);
        writer.WriteVarint((ulong)value);
    }

    public static void WriteDouble(ProtoWriter writer, double value)
    {
        writer.WriteByte(ValuesField);
        writer.WriteByte(9);
        writer.WriteByte(DoubleTag);
        writer.WriteFixed64((ulong)BitConverter.DoubleToInt64Bits(value));
    }

    /// <summary>A string field of Value (numeric, text, json).</summary>
    public static void WriteString(ProtoWriter writer, byte tag, string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        writer.WriteByte(ValuesField);
        writer.WriteVarint((ulong)(1 + ProtoWriter.VarintSize((ulong)byteCount) + byteCount));
        writer.WriteByte(tag);
        writer.WriteVarint((ulong)byteCount);
        writer.WriteUtf8(value, byteCount);
    }

    public static void WriteBytes(ProtoWriter writer, ReadOnlySpan<byte> value) => WriteLengthDelimited(writer, BytesTag, value);

    public static void WriteUuid(ProtoWriter writer, Guid value)
    {
        Span<byte> text = stackalloc byte[36];
        value.TryFormat(text, out _, "D");
        WriteLengthDelimited(writer, UuidTag, text);
    }

    /// <summary>Same result as <c>Timestamp.FromDateTime</c> (any kind is taken as UTC).</summary>
    public static void WriteTimestamp(ProtoWriter writer, DateTime value)
    {
        var seconds = value.Ticks / TimeSpan.TicksPerSecond - UnixSecondsAtBclEpoch;
        var nanos = (int)(value.Ticks % TimeSpan.TicksPerSecond) * 100;
        var inner = (seconds != 0 ? 1 + ProtoWriter.VarintSize((ulong)seconds) : 0) + (nanos != 0 ? 1 + ProtoWriter.VarintSize((ulong)nanos) : 0);
        writer.WriteByte(ValuesField);
        writer.WriteVarint((ulong)(1 + ProtoWriter.VarintSize((ulong)inner) + inner));
        writer.WriteByte(TimestampTag);
        writer.WriteVarint((ulong)inner);
        if (seconds != 0)
        {
            writer.WriteByte((1 << 3) | 0);
            writer.WriteVarint((ulong)seconds);
        }

        if (nanos != 0)
        {
            writer.WriteByte((2 << 3) | 0);
            writer.WriteVarint((ulong)nanos);
        }
    }

    public static void WriteDate(ProtoWriter writer, DateOnly value)
    {
        Span<byte> text = stackalloc byte[16];
        int length;
        if (value == DateOnly.MaxValue)
        {
            length = Encoding.ASCII.GetBytes("infinity", text);
        }
        else if (value == DateOnly.MinValue)
        {
            length = Encoding.ASCII.GetBytes("-infinity", text);
        }
        else
        {
            value.TryFormat(text, out length, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }

        WriteLengthDelimited(writer, DateTag, text[..length]);
    }

    public static void WriteTime(ProtoWriter writer, TimeOnly value)
    {
        Span<byte> text = stackalloc byte[24];
        value.TryFormat(text, out var length, "HH:mm:ss.FFFFFF", System.Globalization.CultureInfo.InvariantCulture);
        if (text[length - 1] == (byte)'.')
        {
            length--;
        }

        WriteLengthDelimited(writer, TimeTag, text[..length]);
    }

    /// <summary>An array value whose elements (each a field-1 Value) are already encoded.</summary>
    public static void WriteArray(ProtoWriter writer, ReadOnlySpan<byte> encodedElements)
    {
        // Value { array_value = ValueList { values... } }: ValueList's content is the elements.
        var listSize = encodedElements.Length;
        writer.WriteByte(ValuesField);
        writer.WriteVarint((ulong)(1 + ProtoWriter.VarintSize((ulong)listSize) + listSize));
        writer.WriteByte(ArrayTag);
        writer.WriteVarint((ulong)listSize);
        writer.WriteBytes(encodedElements);
    }

    /// <summary>Any Value object (used for key columns, which are kept as objects for tokens).</summary>
    public static void WriteValue(ProtoWriter writer, Value value)
    {
        var size = value.CalculateSize();
        writer.WriteByte(ValuesField);
        writer.WriteVarint((ulong)size);
        Span<byte> scratch = size <= 256 ? stackalloc byte[size] : new byte[size];
        value.WriteTo(scratch);
        writer.WriteBytes(scratch);
    }

    private static void WriteLengthDelimited(ProtoWriter writer, byte tag, ReadOnlySpan<byte> content)
    {
        writer.WriteByte(ValuesField);
        writer.WriteVarint((ulong)(1 + ProtoWriter.VarintSize((ulong)content.Length) + content.Length));
        writer.WriteByte(tag);
        writer.WriteVarint((ulong)content.Length);
        writer.WriteBytes(content);
    }
}
