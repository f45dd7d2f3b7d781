using System.Text;
using System.Text.Unicode;
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

    /// <summary>A string field of Value from text the database sent as UTF-8. Protobuf strings must
    /// be valid UTF-8; a database whose encoding does not check (SQL_ASCII) can hold other bytes,
    /// which are replaced with U+FFFD as a .NET string would have them.</summary>
    public static void WriteUtf8(ProtoWriter writer, byte tag, ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8))
        {
            WriteLengthDelimited(writer, tag, utf8);
        }
        else
        {
            WriteString(writer, tag, Encoding.UTF8.GetString(utf8));
        }
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

    /// <summary>"yyyy-MM-dd" (DateOnly spans years 1 to 9999), or "infinity" / "-infinity", which
    /// Npgsql reads as DateOnly.MaxValue / MinValue.</summary>
    public static void WriteDate(ProtoWriter writer, DateOnly value)
    {
        if (value == DateOnly.MaxValue)
        {
            WriteLengthDelimited(writer, DateTag, "infinity"u8);
            return;
        }

        if (value == DateOnly.MinValue)
        {
            WriteLengthDelimited(writer, DateTag, "-infinity"u8);
            return;
        }

        Span<byte> text = stackalloc byte[10];
        value.Deconstruct(out var year, out var month, out var day);
        WriteDigits(text[..4], year);
        text[4] = (byte)'-';
        WriteDigits(text.Slice(5, 2), month);
        text[7] = (byte)'-';
        WriteDigits(text.Slice(8, 2), day);
        WriteLengthDelimited(writer, DateTag, text);
    }

    /// <summary>"HH:mm:ss" followed by the microseconds (PostgreSQL's precision) without trailing
    /// zeros, the form documented in rows.proto.</summary>
    public static void WriteTime(ProtoWriter writer, TimeOnly value)
    {
        Span<byte> text = stackalloc byte[16];
        WriteDigits(text[..2], value.Hour);
        text[2] = (byte)':';
        WriteDigits(text.Slice(3, 2), value.Minute);
        text[5] = (byte)':';
        WriteDigits(text.Slice(6, 2), value.Second);
        var length = 8;
        var microseconds = (int)(value.Ticks % TimeSpan.TicksPerSecond / 10);
        if (microseconds != 0)
        {
            text[8] = (byte)'.';
            WriteDigits(text.Slice(9, 6), microseconds);
            length = 15;
            while (text[length - 1] == (byte)'0')
            {
                length--;
            }
        }

        WriteLengthDelimited(writer, TimeTag, text[..length]);
    }

    /// <summary>Writes <paramref name="value"/> in decimal, zero-padded to fill <paramref name="destination"/>.</summary>
    private static void WriteDigits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
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

    private static void WriteLengthDelimited(ProtoWriter writer, byte tag, ReadOnlySpan<byte> content)
    {
        writer.WriteByte(ValuesField);
        writer.WriteVarint((ulong)(1 + ProtoWriter.VarintSize((ulong)content.Length) + content.Length));
        writer.WriteByte(tag);
        writer.WriteVarint((ulong)content.Length);
        writer.WriteBytes(content);
    }
}
