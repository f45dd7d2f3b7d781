using System.Text;
using Google.Protobuf;
using StreamClient;
using StreamGrpc.V1;

namespace StreamService.Tests.Client;

/// <summary>The typed client decodes LineBatch messages from the wire itself (not through the
/// generated parser): every batch must come out as the generated parser reads it, and malformed
/// input must fail with a clear error.</summary>
public sealed class LinesWireDecoderTests
{
    public static TheoryData<string> Batches => [.. Cases.Keys];

    private static readonly Dictionary<string, byte[]> Cases = new()
    {
        ["empty message"] = [],
        ["one plain line"] = Batch(new FileLine { LineNumber = 1, Offset = 0, Text = "hello" }).ToByteArray(),
        ["empty text, zero numbers (fields omitted on the wire)"] = Batch(new FileLine()).ToByteArray(),
        ["multibyte text"] = Batch(
            new FileLine { LineNumber = 2, Offset = 6, Text = "grüße, 日本語, 🙂 and \u0000 NUL" },
            new FileLine { LineNumber = 3, Offset = 40, Text = "\uFFFD replaced" }).ToByteArray(),
        ["truncated flag"] = Batch(new FileLine { LineNumber = 9, Offset = 1 << 20, Text = new string('x', 70_000), Truncated = true }).ToByteArray(),
        ["large numbers and offsets"] = WithNext(
            Batch(
                new FileLine { LineNumber = long.MaxValue, Offset = long.MaxValue - 1, Text = "end" },
                new FileLine { LineNumber = 1L << 40, Offset = (1L << 56) + 3, Text = "far" }),
            long.MaxValue,
            long.MaxValue).ToByteArray(),
        ["negative numbers (ten-byte varints)"] = WithNext(Batch(new FileLine { LineNumber = -1, Offset = long.MinValue, Text = "neg" }), -5, -6).ToByteArray(),
        ["reset truncated, next at the start"] = new LineBatch { Reset = FileReset.Truncated, Next = new FilePosition() }.ToByteArray(),
        ["reset replaced"] = new LineBatch { Reset = FileReset.Replaced, Next = new FilePosition { Offset = 0, LineNumber = 1 } }.ToByteArray(),
        ["unknown reset value"] = new LineBatch { Reset = (FileReset)77 }.ToByteArray(),
        ["many lines with next"] = WithNext(Batch([.. Enumerable.Range(1, 4_000).Select(i => new FileLine { LineNumber = i, Offset = i * 31L, Text = "line " + i + new string('é', i % 17) })]), 4_001 * 31L, 4_001).ToByteArray(),
        ["unknown fields everywhere"] = Concat(
            Field(1, Concat(Varint(1, 5), Varint(15, 99), Field(3, "x"u8), Fixed64(12), Fixed32(13), Field(14, "skip me"u8), Varint(4, 1))),
            Varint(40, 7),
            Field(2, Concat(Varint(1, 100), Fixed32(9), Varint(2, 4))),
            Field(99, "not a field of LineBatch"u8),
            Fixed64(98)),
        ["fields out of order, wrong wire type treated as unknown"] = Concat(
            Field(1, Concat(Field(3, "late"u8), Varint(2, 8), Varint(1, 3), Fixed64(1), Field(2, "not a varint"u8))),
            Varint(3, 2)),
        ["repeated scalars: the last wins"] = Concat(
            Field(1, Concat(Varint(1, 1), Varint(1, 2), Field(3, "first"u8), Field(3, "second"u8), Varint(4, 1), Varint(4, 0))),
            Varint(3, 1),
            Varint(3, 2)),
        ["repeated next: merged"] = Concat(
            Field(2, Varint(1, 10)),
            Field(2, Varint(2, 20)),
            Field(2, Varint(1, 30))),
        ["non-canonical varints (padded, reset over 32 bits)"] = Concat(
            Field(1, Concat([0x08, 0x81, 0x80, 0x80, 0x00], [0x20, 0x82, 0x00])),
            [0x18, 0x81, 0x80, 0x80, 0x80, 0x10]),
    };

    [Theory]
    [MemberData(nameof(Batches))]
    public void Decode_TrickyBatch_SameAsTheGeneratedParser(string name)
    {
        var bytes = Cases[name];
        var expected = LineBatch.Parser.ParseFrom(bytes);

        var decoded = new LinesWireDecoder().Decode(bytes);

        Assert.Equal(expected.Lines.Count, decoded.Lines.Length);
        for (var i = 0; i < decoded.Lines.Length; i++)
        {
            var (want, got) = (expected.Lines[i], decoded.Lines[i]);
            Assert.Equal(want.LineNumber, got.LineNumber);
            Assert.Equal(want.Offset, got.Offset);
            Assert.Equal(want.Text, got.Text);
            Assert.Equal(want.Truncated, got.Truncated);
        }

        Assert.Equal(expected.Next?.Offset, decoded.Next?.Offset);
        Assert.Equal(expected.Next?.LineNumber, decoded.Next?.LineNumber);
        Assert.Equal(expected.Next is null, decoded.Next is null);
        Assert.Equal(expected.Reset, decoded.Reset);
    }

    [Fact]
    public void Decode_KnownFieldsOnly_EncodesBackToTheSameBytes()
    {
        var batch = WithNext(Batch(
            new FileLine { LineNumber = 7, Offset = 123, Text = "ab\u00e9", Truncated = true },
            new FileLine { LineNumber = 8, Offset = 130, Text = string.Empty }), 131, 9);
        var bytes = batch.ToByteArray();

        var decoded = new LinesWireDecoder().Decode(bytes);
        var again = new LineBatch { Next = decoded.Next, Reset = decoded.Reset };
        again.Lines.Add(decoded.Lines);

        Assert.Equal(bytes, again.ToByteArray());
    }

    [Fact]
    public void Decode_ConsecutiveMessages_DoNotShareLines()
    {
        var decoder = new LinesWireDecoder();
        var first = decoder.Decode(Batch(new FileLine { LineNumber = 1, Text = "a" }, new FileLine { LineNumber = 2, Text = "b" }).ToByteArray());
        var second = decoder.Decode(Batch(new FileLine { LineNumber = 3, Text = "c" }).ToByteArray());

        Assert.Equal(["a", "b"], first.Lines.Select(l => l.Text));
        Assert.Equal(["c"], second.Lines.Select(l => l.Text));
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "length past the end", Field(1, Concat(Varint(1, 1), Field(3, "abc"u8)))[..^2] },
        { "line length past the end", [0x0A, 0x05, 0x08, 0x01] },
        { "varint cut short", [0x0A, 0x02, 0x08, 0x80] },
        { "varint over ten bytes", [0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01] },
        { "field number 0", [0x00, 0x01] },
        { "wire type 6", [0x0E] },
        { "fixed64 cut short", [0x09, 0x01, 0x02] },
        { "next cut short", [0x12, 0x03, 0x08] },
        { "invalid UTF-8 in a line's text", Field(1, Concat(Varint(1, 1), Field(3, [0x61, 0xC3, 0x28, 0xFF, 0x62, 0xE2, 0x82]))) },
        { "a lone surrogate encoded in UTF-8", Field(1, Field(3, [0xED, 0xA0, 0x80])) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Decode_MalformedInput_ClearError(string name, byte[] bytes)
    {
        // The generated parser refuses it too, so no valid message is refused by the decoder.
        Assert.ThrowsAny<InvalidProtocolBufferException>(() => LineBatch.Parser.ParseFrom(bytes));

        var error = Assert.Throws<InvalidDataException>(() => new LinesWireDecoder().Decode(bytes));
        Assert.False(string.IsNullOrWhiteSpace(error.Message), name);
    }

    private static LineBatch Batch(params FileLine[] lines)
    {
        var batch = new LineBatch();
        batch.Lines.Add(lines);
        return batch;
    }

    private static LineBatch WithNext(LineBatch batch, long offset, long lineNumber)
    {
        batch.Next = new FilePosition { Offset = offset, LineNumber = lineNumber };
        return batch;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Tag(int field, int wireType) => VarintBytes(((ulong)field << 3) | (uint)wireType);

    private static byte[] Varint(int field, long value) => Concat(Tag(field, 0), VarintBytes((ulong)value));

    private static byte[] Fixed64(int field) => Concat(Tag(field, 1), [1, 2, 3, 4, 5, 6, 7, 8]);

    private static byte[] Fixed32(int field) => Concat(Tag(field, 5), [1, 2, 3, 4]);

    private static byte[] Field(int field, ReadOnlySpan<byte> content) => Concat(Tag(field, 2), VarintBytes((ulong)content.Length), content.ToArray());

    private static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }
}
