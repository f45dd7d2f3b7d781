using System.Text;
using StreamGrpc.V1;
using StreamService.Files;

namespace StreamService.Tests.Files;

/// <summary>A client that stops after some batches and reconnects with the last <c>next</c>
/// position must see every line exactly once.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly FilesTestRoot _root = new(o => o.MaxLineBytes = 100);

    public void Dispose() => _root.Dispose();

    private async Task<List<LineBatch>> Batches(StreamLinesRequest request, int maxBatchLines, int take)
    {
        request.Root = FilesTestRoot.RootName;
        var query = _root.Parser.Parse(request);
        await using var source = await _root.Sources.OpenAsync(query.Root, query.Path, query.Start, query.Follow, CancellationToken.None).Within();
        var batches = new List<LineBatch>();
        await using var enumerator = new LineBatcher(maxBatchLines, 1 << 20).BatchAsync(query.Pipeline.Apply(source.ReadAsync(lendUtf8: true))).GetAsyncEnumerator();
        while (batches.Count < take && await enumerator.MoveNextAsync().Within())
        {
            using var encoded = enumerator.Current;
            batches.Add(LineBatch.Parser.ParseFrom(encoded.Message));
        }

        return batches;
    }

    private static string Content()
    {
        var builder = new StringBuilder();
        for (var i = 1; i <= 1000; i++)
        {
            builder.Append(i % 7 == 0 ? new string('L', 300) : $"line {i}").Append(i % 2 == 0 ? "\r\n" : "\n");
        }

        return builder.ToString();
    }

    [Theory]
    [InlineData("a.log", false, 0L)]
    [InlineData("a.log", true, 0L)]
    [InlineData("a.log", true, 1L)]
    [InlineData("a.log.gz", false, 0L)]
    [InlineData("a.log", false, 1L)]
    public async Task Resume_FromNext_NoGapNoDuplicate(string file, bool withFilter, long trustLineNumber)
    {
        if (file.EndsWith(".gz", StringComparison.Ordinal))
        {
            _root.Write(file, FileLineSourceTests.Gzip(Content()));
        }
        else
        {
            _root.Write(file, Content());
        }

        StreamLinesRequest Request(FilePosition? from)
        {
            var request = new StreamLinesRequest { Path = file };
            if (from is not null)
            {
                // Resume with the offset only (server counts lines) or with the pair from `next`.
                request.StartPosition = new FilePosition { Offset = from.Offset, LineNumber = trustLineNumber == 1 ? from.LineNumber : 0 };
            }

            if (withFilter)
            {
                request.Filters.Add(new LineFilter { Regex = new() { Pattern = "[02468]$|L" } });
            }

            return request;
        }

        var all = (await Batches(Request(null), 10, int.MaxValue)).SelectMany(b => b.Lines).ToList();
        var pieced = new List<FileLine>();
        FilePosition? next = null;
        for (var round = 0; round < 1000; round++)
        {
            var batches = await Batches(Request(next), maxBatchLines: 10 + round, take: 3);
            if (batches.Count == 0)
            {
                break;
            }

            pieced.AddRange(batches.SelectMany(b => b.Lines));
            next = batches[^1].Next;
        }

        Assert.NotEmpty(all);
        Assert.Equal(all, pieced);
    }
}
