using System.Text;
using Grpc.Core;
using StreamClient;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Jobs;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Client;

/// <summary>The typed client decodes line batches from the wire itself: through the real service,
/// its lines (one at a time and a batch at a time) must be the ones the generated client reads,
/// with limits and stages applied the same way.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClientLineDecodingTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _fileRoot = JobsTestData.NewRoot();
    private ClientTestHost _host = null!;

    public async Task InitializeAsync()
    {
        // Multibyte text, empty lines, CRLF, invalid UTF-8 (replaced by the service), a line over
        // the service's maximum length (cut, truncated) and enough lines for several batches.
        var text = new StringBuilder();
        for (var i = 1; i <= 9_000; i++)
        {
            text.Append(i % 7 == 0 ? string.Empty : "line " + i + " grüße 日本 🙂 " + new string('é', i % 50)).Append(i % 3 == 0 ? "\r\n" : "\n");
        }

        var bytes = new List<byte>(Encoding.UTF8.GetBytes(text.ToString()));
        bytes.AddRange([0x62, 0x61, 0x64, 0xC3, 0x28, 0xFF, 0x0A]);
        bytes.AddRange(Encoding.UTF8.GetBytes(new string('x', 2 * 1024 * 1024) + "\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("last, unterminated"));
        await File.WriteAllBytesAsync(Path.Combine(_fileRoot, "tricky.log"), [.. bytes]);
        _host = await ClientTestHost.StartAsync(ClientTestHost.Settings(postgres, "client-lines", _fileRoot, "client-lines"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        JobsTestData.DeleteRoot(_fileRoot);
    }

    public static TheoryData<string> Queries => ["whole file", "max_lines", "head last", "stages", "from line"];

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task StreamLinesAndBatches_SameLinesAsTheGeneratedClient(string name)
    {
        var query = name switch
        {
            "max_lines" => new LinesQuery(ClientTestHost.RootName, "tricky.log") { MaxLines = 5_001 },
            "head last" => new LinesQuery(ClientTestHost.RootName, "tricky.log") { Filters = [new LineFilter { Contains = new LineFilter.Types.Substring { Text = "9" } }, new LineFilter { Head = new LineFilter.Types.Head { Count = 777 } }] },
            "stages" => new LinesQuery(ClientTestHost.RootName, "tricky.log") { Filters = [new LineFilter { Upper = new LineFilter.Types.Upper() }, new LineFilter { SkipEmpty = new LineFilter.Types.SkipEmpty() }] },
            "from line" => new LinesQuery(ClientTestHost.RootName, "tricky.log") { StartLine = 8_999 },
            _ => new LinesQuery(ClientTestHost.RootName, "tricky.log"),
        };
        using var client = new StreamGrpcClient(new StreamGrpcClientOptions { Address = _host.Address });
        var call = new StreamCallOptions { CancellationToken = TestTimeout.Token() };

        var request = new StreamLinesRequest { Root = query.Root, Path = query.Path, MaxLines = query.MaxLines };
        if (query.StartLine > 0)
        {
            request.StartLine = query.StartLine;
        }

        request.Filters.Add(query.Filters);
        var expected = new List<FileLine>();
        using (var generated = new FileLines.FileLinesClient(client.Channel).StreamLines(request, cancellationToken: call.CancellationToken))
        {
            await foreach (var batch in generated.ResponseStream.ReadAllAsync(call.CancellationToken))
            {
                expected.AddRange(batch.Lines);
            }
        }

        var lines = new List<FileLine>();
        await foreach (var line in client.StreamLinesAsync(query, call))
        {
            lines.Add(line);
        }

        var batched = new List<FileLine>();
        await foreach (var batch in client.StreamLineBatchesAsync(query, call))
        {
            Assert.NotEmpty(batch);
            batched.AddRange(batch);
        }

        Assert.True(expected.Count > (name == "from line" ? 3 : 700), $"{expected.Count} lines");
        if (name == "whole file")
        {
            Assert.Contains(expected, l => l.Truncated);
            Assert.Contains(expected, l => l.Text.Contains('\uFFFD'));
        }

        // FileLine is the generated message: Equals compares every field.
        Assert.Equal(expected, lines);
        Assert.Equal(expected, batched);
    }
}
