using System.Net;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;
using RowsClient = StreamGrpc.V1.RowsService.RowsServiceClient;

namespace StreamService.Tests.Http;

/// <summary>Row streams over HTTP/JSON (JSON transcoding of RowsService.StreamRows) on real Kestrel
/// and PostgreSQL, over HTTP/1.1 and HTTP/2 (h2c): what a curl user sees is the protobuf JSON of
/// the very messages a gRPC client receives, the batches pre-encoded for gRPC included.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HttpJsonRowsTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _applicationName = "rows-http-" + Guid.NewGuid().ToString("N")[..12];
    private HttpJsonHost _host = null!;

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        _host = await HttpJsonHost.StartAsync(RowsHarness.Configuration(postgres.ConnectionStringFor(_applicationName)));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("1.1", "/v1/datasets/types/rows?batch_size=2")]
    [InlineData("2", "/v1/datasets/types/rows?batch_size=2")]
    [InlineData("1.1", "/v1/datasets/events/rows?columns=id&columns=name&columns=amount&columns=created_at&columns=payload&columns=tags&limit=250&batch_size=100")]
    public async Task StreamRows_Get_EveryLineIsTheJsonOfTheMessageGrpcDelivers(string version, string path)
    {
        var request = RequestOf(path);
        var grpc = await GrpcMessagesAsync(request);

        await using var lines = await JsonLines.GetAsync(_host.Client(version), path);
        var json = await lines.RestAsync();

        Assert.True(lines.Response.StatusCode == HttpStatusCode.OK, $"{lines.Response.StatusCode} {lines.Response.Version}: {string.Join('\n', json)}");
        Assert.Equal(version == "2" ? HttpVersion.Version20 : HttpVersion.Version11, lines.Response.Version);
        Assert.Equal("application/json", lines.ContentType?.MediaType);
        Assert.True(grpc.Count >= 3, $"the stream should have a schema and batches, got {grpc.Count} messages");
        Assert.Equal(grpc.Count, json.Count);
        for (var i = 0; i < grpc.Count; i++)
        {
            // The JSON reads back as the message gRPC delivered, resume token included (compared
            // through the formatter: NaN's bits differ between PostgreSQL's and .NET's NaN, and
            // message equality compares doubles bitwise)...
            Assert.Equal(JsonFormatter.Default.Format(grpc[i]), JsonFormatter.Default.Format(JsonParser.Default.Parse<StreamRowsResponse>(json[i])));

            // ...and is what Google.Protobuf's own formatter writes for it (protobuf JSON mapping:
            // lowerCamelCase names, int64 as strings, defaults omitted).
            var expected = JsonNode.Parse(JsonFormatter.Default.Format(grpc[i]));
            Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(json[i])), $"message {i}: expected {expected?.ToJsonString()}, got {json[i]}");
        }
    }

    [Fact]
    public async Task StreamRows_Get_Int64AsStringsAndLowerCamelCaseNames()
    {
        await using var lines = await JsonLines.GetAsync(_host.Http1, "/v1/datasets/events/rows?columns=id&limit=1");
        var schema = await lines.NextAsync();
        var batch = await lines.NextAsync();

        Assert.Equal("id", schema!["schema"]!["keyColumns"]![0]!.GetValue<string>());
        Assert.Equal("1", batch!["batch"]!["rows"]![0]!["values"]![0]!["intValue"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(batch["batch"]!["resumeToken"]!.GetValue<string>()));
        Assert.Null(await lines.NextAsync());
    }

    [Fact]
    public async Task StreamRows_PostWithFilters_OnlyMatchingRows()
    {
        const string body = """
            {"columns":["id","category"],"limit":"5",
             "filters":[{"column":"category","operator":"FILTER_OPERATOR_EQUAL","values":[{"textValue":"beta"}]}]}
            """;
        await using var lines = await JsonLines.PostAsync(_host.Http1, "/v1/datasets/events/rows:stream", body);
        var messages = await lines.RestAsync();

        Assert.Equal(HttpStatusCode.OK, lines.Response.StatusCode);
        var rows = messages.Skip(1).Select(JsonParser.Default.Parse<StreamRowsResponse>).SelectMany(m => m.Batch.Rows).ToList();
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal("beta", r.Values[1].TextValue));
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2")]
    public async Task StreamRows_ClientGoesAwayMidStream_QueryStopsAtTheDatabase(string version)
    {
        var lines = await JsonLines.GetAsync(_host.Client(version), "/v1/datasets/events/rows?batch_size=100");
        try
        {
            Assert.NotNull((await lines.NextAsync())!["schema"]);
            Assert.NotNull((await lines.NextAsync())!["batch"]);

            // The stream is open and paced by this reader: its query is running.
            Assert.True(await postgres.ActiveQueriesAsync(_applicationName) > 0, "the million-row stream's query should still be running");
        }
        finally
        {
            // HTTP/1.1: the connection is closed mid-body; HTTP/2: the stream is reset.
            await lines.DisposeAsync();
        }

        await postgres.WaitUntilNoActiveQueryAsync(_applicationName, "the HTTP client went away");
    }

    [Theory]
    [InlineData("/v1/datasets/nope/rows", HttpStatusCode.NotFound, StatusCode.NotFound, "dataset 'nope' does not exist")]
    [InlineData("/v1/datasets/events/rows?columns=nope", HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "nope")]
    [InlineData("/v1/datasets/events/rows?resume_token=garbage", HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "resume_token")]
    [InlineData("/v1/datasets/events/rows?limit=ten", HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "")]
    public async Task StreamRows_Refused_HttpStatusWithTheGrpcStatusInTheBody(string path, HttpStatusCode http, StatusCode grpc, string message)
    {
        using var response = await _host.Http1.GetAsync(path).Bounded();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(http, response.StatusCode);
        Assert.Equal((int)grpc, body["code"]!.GetValue<int>());
        Assert.Contains(message, body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>The request the transcoder binds from <paramref name="path"/>, for the gRPC side.</summary>
    private static StreamRowsRequest RequestOf(string path)
    {
        var uri = new Uri(new Uri("http://x"), path);
        var request = new StreamRowsRequest { Dataset = uri.Segments[3].TrimEnd('/') };
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = (pair[..pair.IndexOf('=')], Uri.UnescapeDataString(pair[(pair.IndexOf('=') + 1)..]));
            switch (key)
            {
                case "columns": request.Columns.Add(value); break;
                case "limit": request.Limit = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "batch_size": request.BatchSize = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unexpected query key {key}");
            }
        }

        return request;
    }

    private async Task<List<StreamRowsResponse>> GrpcMessagesAsync(StreamRowsRequest request)
    {
        using var call = new RowsClient(_host.Channel).StreamRows(request, deadline: DateTime.UtcNow.Add(TestTimeout.Default));
        var messages = new List<StreamRowsResponse>();
        await foreach (var message in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            messages.Add(message);
        }

        return messages;
    }
}
