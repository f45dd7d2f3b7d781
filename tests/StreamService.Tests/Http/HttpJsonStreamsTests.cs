using System.Net;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Files;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Http;

/// <summary>Line, token and job routes over HTTP/JSON: each message is written as it is produced
/// (a followed file's appended line, a token) and line batches, pre-encoded for gRPC, come out as
/// the protobuf JSON of the LineBatch a gRPC client receives.</summary>
public sealed class HttpJsonStreamsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("streamgrpc-http-lines-").FullName;
    private HttpJsonHost _host = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "app.log"), string.Concat(Enumerable.Range(1, 50).Select(i => $"{(i % 3 == 0 ? "WARN" : "INFO")} line {i} ünï\r\n")));
        _host = await HttpJsonHost.StartAsync(new Dictionary<string, string?>
        {
            ["StreamGrpc:Files:Roots:t"] = _dir,
            ["StreamGrpc:Files:MaxBatchLines"] = "7",
            // Every wake-up of a follow comes from the file watcher, not from a poll.
            ["StreamGrpc:Files:FollowPollInterval"] = "01:00:00",
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=9;Username=streamgrpc;Database=streamgrpc;Timeout=2",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2")]
    public async Task StreamLines_PostWithFilters_EveryLineIsTheJsonOfTheBatchGrpcDelivers(string version)
    {
        const string body = """{"path":"app.log","filters":[{"contains":{"text":"warn","ignoreCase":true}},{"upper":{}}],"maxLines":"12"}""";
        var request = new StreamLinesRequest { Root = "t", Path = "app.log", MaxLines = 12 };
        request.Filters.Add(new LineFilter { Contains = new LineFilter.Types.Substring { Text = "warn", IgnoreCase = true } });
        request.Filters.Add(new LineFilter { Upper = new LineFilter.Types.Upper() });
        using var call = new StreamGrpc.V1.FileLines.FileLinesClient(_host.Channel).StreamLines(request, deadline: DateTime.UtcNow.Add(TestTimeout.Default));
        var grpc = new List<LineBatch>();
        await foreach (var batch in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            grpc.Add(batch);
        }

        await using var lines = await JsonLines.PostAsync(_host.Client(version), "/v1/roots/t/lines:stream", body);
        var json = await lines.RestAsync();

        Assert.Equal(HttpStatusCode.OK, lines.Response.StatusCode);
        Assert.Equal(2, grpc.Count);
        Assert.Equal(12, grpc.Sum(b => b.Lines.Count));
        Assert.Equal(grpc.Count, json.Count);
        for (var i = 0; i < grpc.Count; i++)
        {
            Assert.Equal(grpc[i], JsonParser.Default.Parse<LineBatch>(json[i]));
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(JsonFormatter.Default.Format(grpc[i])), JsonNode.Parse(json[i])), $"batch {i}: {json[i]}");
        }
    }

    [Fact]
    public async Task StreamLines_FollowOverHttp1_AnAppendedLineArrivesWhileTheStreamIsOpen()
    {
        await using var lines = await JsonLines.GetAsync(_host.Http1, "/v1/roots/t/lines?path=app.log&start_line=50&follow=true");
        var first = (await lines.NextAsync())!;
        Assert.Equal("50", first["lines"]![0]!["lineNumber"]!.GetValue<string>());

        FilesTestRoot.Append(Path.Combine(_dir, "app.log"), "WARN appended while streaming\n");

        var next = (await lines.NextAsync())!;
        Assert.Equal("51", next["lines"]![0]!["lineNumber"]!.GetValue<string>());
        Assert.Equal("WARN appended while streaming", next["lines"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task StreamLines_DotDotPath_400InvalidArgumentLeakingNoServerPath()
    {
        using var response = await _host.Http1.GetAsync("/v1/roots/t/lines?path=../etc/passwd").Bounded();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal((int)StatusCode.InvalidArgument, body["code"]!.GetValue<int>());
        Assert.DoesNotContain(_dir, body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2")]
    public async Task StreamCompletion_Post_DeltasInOrderThenOneSummary(string version)
    {
        const string body = """{"model":"builtin-echo","messages":[{"role":"COMPLETION_ROLE_USER","content":"tokens over plain http"}]}""";
        await using var lines = await JsonLines.PostAsync(_host.Client(version), "/v1/completions", body);
        var chunks = (await lines.RestAsync()).Select(JsonParser.Default.Parse<CompletionChunk>).ToList();

        Assert.Equal(HttpStatusCode.OK, lines.Response.StatusCode);
        var deltas = chunks.TakeWhile(c => c.KindCase == CompletionChunk.KindOneofCase.Delta).Select(c => c.Delta).ToList();
        Assert.Equal("tokens over plain http", string.Concat(deltas.Select(d => d.Text)));
        Assert.Equal(Enumerable.Range(0, deltas.Count).Select(i => (uint)i), deltas.Select(d => d.Index));
        Assert.Equal(CompletionChunk.KindOneofCase.Summary, chunks[^1].KindCase);
        Assert.Equal(deltas.Count + 1, chunks.Count);
    }

    [Fact]
    public async Task StreamCompletion_UnknownModel_404()
    {
        using var response = await _host.Http1.PostAsync("/v1/completions", new StringContent("""{"model":"nope","messages":[{"role":"COMPLETION_ROLE_USER","content":"x"}]}""", System.Text.Encoding.UTF8, "application/json")).Bounded();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal((int)StatusCode.NotFound, body["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Completions_MalformedJsonBody_400InvalidArgument()
    {
        using var response = await _host.Http1.PostAsync("/v1/completions", new StringContent("{\"model\":", System.Text.Encoding.UTF8, "application/json")).Bounded();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal((int)StatusCode.InvalidArgument, body["code"]!.GetValue<int>());
    }
}
