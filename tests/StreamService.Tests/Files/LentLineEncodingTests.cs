using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using StreamGrpc.V1;
using StreamService.Files;
using StreamService.Rows;

namespace StreamService.Tests.Files;

/// <summary>Lines of valid UTF-8 go from the read buffer to the batch buffer as bytes (lent views);
/// what reaches the wire must be byte for byte what the generated code writes for the lines decoded
/// to strings (the path every line took before, and still takes for invalid UTF-8).</summary>
public sealed class LentLineEncodingTests
{
    private const int BatchLines = 3;

    public static TheoryData<string> Files => ["invalid-utf8", "bom-crlf-empty", "bom-alone", "cut-multibyte", "unterminated-cr", "gzip", "random-small-buffer"];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task LentBatches_AreTheGeneratedSerialisationOfTheDecodedLines(string name)
    {
        var (bytes, fileName, maxLineBytes) = Build(name);
        using var root = new FilesTestRoot(o =>
        {
            o.MaxLineBytes = maxLineBytes;
            o.ReadBufferBytes = 4096;
        });
        root.Write(fileName, fileName.EndsWith(".gz", StringComparison.Ordinal) ? Gzip(bytes) : bytes);

        var expected = await DecodedBatchesAsync(root, fileName);
        var (actual, lent, lines) = await LentBatchesAsync(root, fileName);

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"batch {i + 1} of {name} differs from the generated serialisation");
        }

        // The fast path was taken (else this test would compare the old path with itself) ...
        Assert.True(lent > 0, "no line was lent");
        if (name is "invalid-utf8" or "random-small-buffer")
        {
            // ... and not for the lines that need the replacing decode.
            Assert.True(lent < lines, "invalid UTF-8 must not be lent");
        }
    }

    [Theory]
    [InlineData(0L, 0L, 0, false)]
    [InlineData(1L, 0L, 1, false)]
    [InlineData(127L, 128L, 127, true)]
    [InlineData(128L, 16_383L, 128, false)]
    [InlineData(16_384L, 1L << 35, 16_383, true)]
    [InlineData(long.MaxValue, long.MaxValue, 16_384, false)]
    [InlineData(-1L, -5L, 100, true)]
    [InlineData(3L, 9L, 110, false)]
    [InlineData(3L, 9L, 122, true)]
    [InlineData(3L, 9L, 70_000, true)]
    public void EncodeLine_Utf8_IsTheGeneratedSerialisation(long number, long offset, int textBytes, bool truncated)
    {
        // Multibyte characters included; cut to a character boundary so the bytes stay valid UTF-8.
        var text = string.Concat(Enumerable.Range(0, textBytes).Select(i => i % 5 == 0 ? "é" : "a"));
        var utf8 = Encoding.UTF8.GetBytes(text).AsSpan(0, Math.Min(textBytes, Encoding.UTF8.GetByteCount(text)));
        utf8 = LineReader.CutAtCharBoundary(utf8, utf8.Length).ToArray();
        var batch = new LineBatch();
        batch.Lines.Add(new FileLine { LineNumber = number, Offset = offset, Text = Encoding.UTF8.GetString(utf8), Truncated = truncated });

        using var writer = new ProtoWriter(16);
        LineBatchEncoder.EncodeLine(number, offset, utf8, truncated, writer);

        Assert.Equal(batch.ToByteArray(), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task LentLine_MaterialisedBeforeNextPull_KeepsItsText()
    {
        using var root = new FilesTestRoot(o => o.ReadBufferBytes = 4096);
        var text = new StringBuilder();
        for (var i = 0; i < 2000; i++)
        {
            text.Append("line ").Append(i).Append('\n');
        }

        root.Write("a.log", text.ToString());
        var query = root.Parser.Parse(new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = "a.log" });
        await using var source = await root.Sources.OpenAsync(query.Root, query.Path, query.Start, query.Follow, CancellationToken.None).Within();
        var kept = new List<LineItem>();
        await foreach (var item in source.ReadAsync(lendUtf8: true))
        {
            Assert.True(item.IsLent);
            kept.Add(item.Materialise());
        }

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"line {i}"), kept.Select(l => l.Text));
        Assert.All(kept, l => Assert.False(l.IsLent));
    }

    /// <summary>The lines decoded to strings (lendUtf8: false) batched with the generated types.</summary>
    private static async Task<List<byte[]>> DecodedBatchesAsync(FilesTestRoot root, string fileName)
    {
        var query = root.Parser.Parse(new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = fileName });
        await using var source = await root.Sources.OpenAsync(query.Root, query.Path, query.Start, query.Follow, CancellationToken.None).Within();
        var batches = new List<byte[]>();
        var batch = new LineBatch();
        await foreach (var item in source.ReadAsync(lendUtf8: false))
        {
            Assert.False(item.IsLent);
            batch.Lines.Add(new FileLine { LineNumber = item.Number, Offset = item.Offset, Text = item.Text, Truncated = item.Truncated });
            if (batch.Lines.Count == BatchLines)
            {
                batch.Next = new FilePosition { Offset = item.NextOffset, LineNumber = item.Number + 1 };
                batches.Add(batch.ToByteArray());
                batch = new LineBatch();
            }
            else
            {
                batch.Next = new FilePosition { Offset = item.NextOffset, LineNumber = item.Number + 1 };
            }
        }

        if (batch.Lines.Count > 0)
        {
            batches.Add(batch.ToByteArray());
        }

        return batches;
    }

    /// <summary>What the service writes: lent lines through <see cref="LineBatcher"/>.</summary>
    private static async Task<(List<byte[]> Batches, int Lent, int Lines)> LentBatchesAsync(FilesTestRoot root, string fileName)
    {
        var query = root.Parser.Parse(new StreamLinesRequest { Root = FilesTestRoot.RootName, Path = fileName });
        await using var source = await root.Sources.OpenAsync(query.Root, query.Path, query.Start, query.Follow, CancellationToken.None).Within();
        var counts = new int[2];
        var batches = new List<byte[]>();
        await foreach (var encoded in new LineBatcher(BatchLines, 1 << 20).BatchAsync(Count(source.ReadAsync(lendUtf8: true), counts)))
        {
            using (encoded)
            {
                batches.Add(encoded.Message.ToArray());
            }
        }

        return (batches, counts[0], counts[1]);

        static async IAsyncEnumerable<LineItem> Count(IAsyncEnumerable<LineItem> items, int[] counts)
        {
            await foreach (var item in items)
            {
                counts[0] += item.IsLent ? 1 : 0;
                counts[1] += item.IsLine ? 1 : 0;
                yield return item;
            }
        }
    }

    private static (byte[] Bytes, string FileName, int MaxLineBytes) Build(string name)
    {
        var bytes = new List<byte>();
        void Text(string text) => bytes.AddRange(Encoding.UTF8.GetBytes(text));
        void Raw(params byte[] raw) => bytes.AddRange(raw);
        switch (name)
        {
            case "invalid-utf8":
                Raw((byte)'a', 0xFF, (byte)'b', 0xC3, (byte)'\n');          // stray byte, cut 2-byte sequence
                Text("\u20AC ok\n");
                Raw(0xC0, 0xAF, (byte)'\n');                                   // over-long encoding
                Raw(0xED, 0xA0, 0x80, (byte)'x', (byte)'\r', (byte)'\n');     // UTF-16 surrogate in UTF-8
                Raw(0x80, 0x80, (byte)'\n');                                   // lone continuation bytes
                Raw(0xF0, 0x9F, 0x98, (byte)'\n');                             // 4-byte sequence missing its last byte
                Raw(0xF4, 0x90, 0x80, 0x80, (byte)'\n');                       // above U+10FFFF
                Text("\U0001F680 fine\n");
                Raw((byte)'e', (byte)'n', (byte)'d', 0xE2, 0x82);              // unterminated and invalid
                return (bytes.ToArray(), "a.log", 64);
            case "bom-crlf-empty":
                Raw(0xEF, 0xBB, 0xBF);
                Text("first\r\n\r\n\nx\r\n\n\uFEFFnot-a-bom-here\r\nlast-unterminated");
                return (bytes.ToArray(), "a.log", 64);
            case "bom-alone":
                Raw(0xEF, 0xBB, 0xBF, (byte)'\n', (byte)'a');
                return (bytes.ToArray(), "a.log", 64);
            case "cut-multibyte":
                Text("abcdefghijklmn\u20AC\u20AC\u20AC\n");                    // cut inside a 3-byte char
                Text(new string('\u00E9', 20) + "\r\n");                        // 2-byte chars, CRLF
                Text("\U0001F680\U0001F680\U0001F680\U0001F680\U0001F680\n");  // 4-byte chars
                Text("0123456789abcdef\r\n");                                  // exactly the maximum, CRLF
                Text("0123456789abcdefg\n");                                   // one byte over
                Text(new string('\u4E2D', 3000) + "\n");                        // far longer than the read buffer
                Raw(0xEF, 0xBB);                                                // short, invalid, unterminated
                return (bytes.ToArray(), "a.log", 16);
            case "unterminated-cr":
                Text("a\nb\r");
                return (bytes.ToArray(), "a.log", 64);
            case "gzip":
                Raw(0xEF, 0xBB, 0xBF);
                for (var i = 0; i < 500; i++)
                {
                    Text($"gz line {i} \u00FC\u00F1\u00EF{(i % 2 == 0 ? "\r\n" : "\n")}");
                }

                Raw(0xFF, (byte)'\n');
                Text(new string('z', 200));
                return (bytes.ToArray(), "a.log.gz", 64);
            case "random-small-buffer":
                var random = new Random(16);
                for (var i = 0; i < 5000; i++)
                {
                    var length = random.Next(0, 90);
                    for (var j = 0; j < length; j++)
                    {
                        switch (random.Next(40))
                        {
                            case 0:
                                Raw((byte)random.Next(0x80, 0x100)); // mostly invalid
                                break;
                            case 1:
                                Text("\u00E9");
                                break;
                            case 2:
                                Text("\u4E2D");
                                break;
                            case 3:
                                Text("\U0001F680");
                                break;
                            default:
                                Raw((byte)random.Next(0x20, 0x7F));
                                break;
                        }
                    }

                    Text(random.Next(4) == 0 ? "\r\n" : "\n");
                }

                return (bytes.ToArray(), "a.log", 48);
            default:
                throw new ArgumentOutOfRangeException(nameof(name));
        }
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }
}
