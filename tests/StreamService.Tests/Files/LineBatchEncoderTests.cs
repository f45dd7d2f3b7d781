using Google.Protobuf;
using StreamGrpc.V1;
using StreamService.Files;
using StreamService.Rows;

namespace StreamService.Tests.Files;

/// <summary>The service's own LineBatch serialisation must be byte for byte what Google.Protobuf writes.</summary>
public sealed class LineBatchEncoderTests
{
    public static TheoryData<string> Batches => ["lines", "empty-and-flags", "reset", "nothing", "big-numbers"];

    [Theory]
    [MemberData(nameof(Batches))]
    public void Encode_IsTheGeneratedSerialisation(string name)
    {
        var batch = Build(name);
        using var writer = new ProtoWriter(16);
        LineBatchEncoder.Encode(batch, writer);
        Assert.Equal(batch.ToByteArray(), writer.WrittenSpan.ToArray());
        Assert.Equal(batch, LineBatch.Parser.ParseFrom(writer.WrittenSpan));
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void EncodedLineBatch_Encode_CarriesTheBytesLinesAndNextPosition(string name)
    {
        var batch = Build(name);
        using var encoded = EncodedLineBatch.Encode(batch);
        Assert.Equal(batch.ToByteArray(), encoded.Message.ToArray());
        Assert.Equal(batch.Lines.Count, encoded.LineCount);
        Assert.Equal(batch.Next, encoded.Next);
    }

    private static LineBatch Build(string name)
    {
        var batch = new LineBatch();
        switch (name)
        {
            case "lines":
                for (var i = 1; i <= 300; i++)
                {
                    batch.Lines.Add(new FileLine { LineNumber = i, Offset = (i - 1) * 17, Text = $"line {i} ünïcødé 🚀 {new string('x', i)}" });
                }

                batch.Next = new FilePosition { Offset = 300 * 17, LineNumber = 301 };
                break;
            case "empty-and-flags":
                batch.Lines.Add(new FileLine { LineNumber = 1, Offset = 0, Text = string.Empty });
                batch.Lines.Add(new FileLine { LineNumber = 2, Offset = 1, Text = "cut", Truncated = true });
                batch.Lines.Add(new FileLine { LineNumber = 3, Offset = 5, Text = "bad \uFFFD byte" });
                batch.Next = new FilePosition { Offset = 20, LineNumber = 4 };
                break;
            case "reset":
                batch.Reset = FileReset.Replaced;
                batch.Next = new FilePosition { Offset = 0, LineNumber = 1 };
                break;
            case "big-numbers":
                batch.Lines.Add(new FileLine { LineNumber = long.MaxValue, Offset = long.MaxValue - 1, Text = new string('y', 70_000) });
                batch.Next = new FilePosition { Offset = long.MaxValue, LineNumber = long.MaxValue };
                break;
        }

        return batch;
    }
}
