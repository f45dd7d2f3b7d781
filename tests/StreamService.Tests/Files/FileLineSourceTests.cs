using System.IO.Compression;
using System.Text;
using StreamGrpc.V1;
using StreamService.Files;

namespace StreamService.Tests.Files;

public sealed class FileLineSourceTests : IDisposable
{
    private readonly FilesTestRoot _root = new(o => o.MaxLineBytes = 64);

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task ReadAsync_LfAndCrlf_StripsTerminatorsAndTracksOffsets()
    {
        _root.Write("a.log", "one\r\ntwo\n\r\nfour\r\n");

        var lines = await _root.ReadLinesAsync("a.log");

        Assert.Equal(["one", "two", "", "four"], lines.Select(l => l.Text));
        Assert.Equal([1L, 2, 3, 4], lines.Select(l => l.Number));
        Assert.Equal([0L, 5, 9, 11], lines.Select(l => l.Offset));
        Assert.Equal([5L, 9, 11, 17], lines.Select(l => l.NextOffset));
    }

    [Fact]
    public async Task ReadAsync_NoTrailingNewline_LastLineReturned()
    {
        _root.Write("a.log", "one\ntwo");

        var lines = await _root.ReadLinesAsync("a.log");

        Assert.Equal(["one", "two"], lines.Select(l => l.Text));
        Assert.Equal(7, lines[^1].NextOffset);
    }

    [Fact]
    public async Task ReadAsync_EmptyFile_NoLines()
    {
        _root.Write("a.log", "");

        Assert.Empty(await _root.ReadLinesAsync("a.log"));
    }

    [Fact]
    public async Task ReadAsync_InvalidUtf8_ReplacedNotFailed()
    {
        _root.Write("a.log", [(byte)'a', 0xFF, (byte)'b', 0xC3, (byte)'\n', 0xE2, 0x82, 0xAC, (byte)'\n']);

        var lines = await _root.ReadLinesAsync("a.log");

        Assert.Equal(["a\uFFFDb\uFFFD", "\u20AC"], lines.Select(l => l.Text));
        Assert.Equal(5, lines[1].Offset);
    }

    [Fact]
    public async Task ReadAsync_Utf8ByteOrderMark_NotPartOfFirstLine()
    {
        _root.Write("a.log", [0xEF, 0xBB, 0xBF, (byte)'h', (byte)'i', (byte)'\n']);

        var lines = await _root.ReadLinesAsync("a.log");

        Assert.Equal("hi", Assert.Single(lines).Text);
        Assert.Equal(0, lines[0].Offset);
    }

    [Fact]
    public async Task ReadAsync_LineLongerThanMax_CutFlaggedAndNextLineIntact()
    {
        var huge = new string('x', 10_000);
        _root.Write("a.log", $"short\n{huge}\r\nafter\n");

        var lines = await _root.ReadLinesAsync("a.log");

        Assert.Equal(3, lines.Count);
        Assert.Equal(new string('x', 64), lines[1].Text);
        Assert.True(lines[1].Truncated);
        Assert.False(lines[0].Truncated);
        Assert.Equal(("after", 3L, 6L + huge.Length + 2), (lines[2].Text, lines[2].Number, lines[2].Offset));
        Assert.False(lines[2].Truncated);
    }

    [Fact]
    public async Task ReadAsync_HugeLineLargerThanReadBuffer_MemoryBoundedAndCounted()
    {
        using var root = new FilesTestRoot(o => { o.MaxLineBytes = 1024; o.ReadBufferBytes = 4096; });
        var huge = new string('y', 5 * 1024 * 1024);
        root.Write("a.log", $"{huge}\nnext\n{huge}");

        var lines = await root.ReadLinesAsync("a.log");

        Assert.Equal(3, lines.Count);
        Assert.Equal(1024, lines[0].Text.Length);
        Assert.True(lines[0].Truncated);
        Assert.Equal(("next", 2L), (lines[1].Text, lines[1].Number));
        Assert.True(lines[2].Truncated);
        Assert.Equal(2L * huge.Length + 6, lines[2].NextOffset);
    }

    [Fact]
    public async Task ReadAsync_LineExactlyMaxWithCrlf_NotTruncated()
    {
        var exact = new string('z', 64);
        _root.Write("a.log", $"{exact}\r\n{exact}\n");

        var lines = await _root.ReadLinesAsync("a.log");

        Assert.All(lines, l => Assert.False(l.Truncated));
        Assert.All(lines, l => Assert.Equal(exact, l.Text));
    }

    [Fact]
    public async Task ReadAsync_CutInsideMultibyteCharacter_CutsAtCharacterBoundary()
    {
        // 63 ASCII bytes then a 3-byte euro sign: the 64-byte cut would split it.
        _root.Write("a.log", new string('a', 63) + "\u20AC\u20AC\u20AC\n");

        var line = Assert.Single(await _root.ReadLinesAsync("a.log"));

        Assert.Equal(new string('a', 63), line.Text);
        Assert.True(line.Truncated);
    }

    [Fact]
    public async Task ReadAsync_Gzip_DecompressesWithOffsetsInText()
    {
        var text = "alpha\r\nbeta\ngamma\n";
        _root.Write("a.log.gz", Gzip(text));

        var lines = await _root.ReadLinesAsync("a.log.gz");

        Assert.Equal(["alpha", "beta", "gamma"], lines.Select(l => l.Text));
        Assert.Equal([0L, 7, 12], lines.Select(l => l.Offset));
    }

    [Fact]
    public async Task ReadAsync_GzipFromOffset_SkipsDecompressedBytes()
    {
        _root.Write("a.log.gz", Gzip("alpha\nbeta\ngamma\n"));

        var lines = await _root.ReadLinesAsync(new StreamLinesRequest { Path = "a.log.gz", StartPosition = new FilePosition { Offset = 6 } });

        Assert.Equal([("beta", 2L), ("gamma", 3L)], lines.Select(l => (l.Text, l.Number)));
    }

    [Fact]
    public async Task ReadAsync_CorruptGzip_InvalidDataException()
    {
        _root.Write("bad.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF]);

        await Assert.ThrowsAsync<InvalidDataException>(() => _root.ReadLinesAsync("bad.gz"));
    }

    [Fact]
    public async Task ReadAsync_StartLine_SkipsEarlierLines()
    {
        _root.Write("a.log", "1\n2\n3\n4\n");

        var lines = await _root.ReadLinesAsync(new StreamLinesRequest { Path = "a.log", StartLine = 3 });

        Assert.Equal([("3", 3L, 4L), ("4", 4L, 6L)], lines.Select(l => (l.Text, l.Number, l.Offset)));
    }

    [Fact]
    public async Task ReadAsync_StartLinePastEnd_Empty()
    {
        _root.Write("a.log", "1\n2\n");

        Assert.Empty(await _root.ReadLinesAsync(new StreamLinesRequest { Path = "a.log", StartLine = 99 }));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(3L)]
    public async Task ReadAsync_StartOffsetWithOrWithoutLineNumber_SameLines(long lineNumberHint)
    {
        _root.Write("a.log", "aa\nbb\ncc\n");

        var lines = await _root.ReadLinesAsync(new StreamLinesRequest
        {
            Path = "a.log",
            StartPosition = new FilePosition { Offset = 6, LineNumber = lineNumberHint },
        });

        Assert.Equal(("cc", 3L, 6L), (Assert.Single(lines).Text, lines[0].Number, lines[0].Offset));
    }

    [Fact]
    public async Task ReadAsync_StartOffsetMidLine_InvalidArgument()
    {
        _root.Write("a.log", "aa\nbb\n");

        var error = await Assert.ThrowsAsync<FileLinesException>(() =>
            _root.ReadLinesAsync(new StreamLinesRequest { Path = "a.log", StartPosition = new FilePosition { Offset = 4, LineNumber = 2 } }));

        Assert.Equal(FileLinesError.InvalidArgument, error.Error);
    }

    [Fact]
    public async Task ReadAsync_StartOffsetPastEnd_OutOfRange()
    {
        _root.Write("a.log", "aa\n");

        var error = await Assert.ThrowsAsync<FileLinesException>(() =>
            _root.ReadLinesAsync(new StreamLinesRequest { Path = "a.log", StartPosition = new FilePosition { Offset = 100 } }));

        Assert.Equal(FileLinesError.OutOfRange, error.Error);
    }

    [Fact]
    public async Task ReadAsync_StartOffsetAtEnd_Empty()
    {
        _root.Write("a.log", "aa\n");

        Assert.Empty(await _root.ReadLinesAsync(new StreamLinesRequest { Path = "a.log", StartPosition = new FilePosition { Offset = 3 } }));
    }

    [Fact]
    public async Task OpenAsync_FollowGzip_InvalidArgument()
    {
        _root.Write("a.log.gz", Gzip("a\n"));

        var error = await Assert.ThrowsAsync<FileLinesException>(() =>
            _root.ReadLinesAsync(new StreamLinesRequest { Path = "a.log.gz", Follow = true }));

        Assert.Equal(FileLinesError.InvalidArgument, error.Error);
    }

    [Fact]
    public async Task ReadAsync_LargeGeneratedFile_EveryNumberAndOffsetMatchesTheBytes()
    {
        using var root = new FilesTestRoot(o => o.ReadBufferBytes = 8192);
        var random = new Random(7);
        var builder = new StringBuilder();
        var expected = new List<(long Offset, string Text)>();
        long offset = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var text = $"line {i} " + new string((char)('a' + i % 26), random.Next(0, 120)) + (i % 97 == 0 ? " \u00E9\u4E2D" : "");
            var terminator = i % 3 == 0 ? "\r\n" : "\n";
            expected.Add((offset, text));
            builder.Append(text).Append(terminator);
            offset += Encoding.UTF8.GetByteCount(text) + terminator.Length;
        }

        root.Write("big.log", builder.ToString());

        var lines = await root.ReadLinesAsync("big.log");

        Assert.Equal(expected.Count, lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Number != i + 1 || lines[i].Offset != expected[i].Offset || lines[i].Text != expected[i].Text)
            {
                Assert.Fail($"Line {i + 1}: got ({lines[i].Number}, {lines[i].Offset}, {lines[i].Text}), expected ({i + 1}, {expected[i].Offset}, {expected[i].Text}).");
            }
        }

        Assert.Equal(offset, lines[^1].NextOffset);
    }

    [Fact]
    public async Task DisposeAsync_AfterPartialRead_ClosesTheFile()
    {
        var path = _root.Write("a.log", string.Concat(Enumerable.Range(0, 10_000).Select(i => $"{i}\n")));
        var source = await _root.Sources.OpenAsync(FilesTestRoot.RootName, "a.log", FileStart.Beginning, follow: false, CancellationToken.None).Within();
        await using (var enumerator = source.ReadAsync().GetAsyncEnumerator())
        {
            Assert.True(await enumerator.MoveNextAsync().Within());
            Assert.True(OpenFileHandles.IsOpen(path));
        }

        await source.DisposeAsync().Within();

        Assert.False(OpenFileHandles.IsOpen(path));
    }

    [Fact]
    public void CutAtCharBoundary_FourByteCharacterSplit_BacksOffToLeadByte()
    {
        var bytes = "ab\U0001F600"u8.ToArray(); // 2 + 4 bytes

        Assert.Equal(2, LineReader.CutAtCharBoundary(bytes, 5).Length);
        Assert.Equal(6, LineReader.CutAtCharBoundary(bytes, 6).Length);
        Assert.Equal(2, LineReader.CutAtCharBoundary(bytes, 3).Length);
    }

    internal static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }
}
