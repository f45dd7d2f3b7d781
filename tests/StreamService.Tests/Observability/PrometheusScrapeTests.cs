using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamGrpc.V1;
using StreamService.Observability;
using StreamService.Tests.Hardening;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Observability;

/// <summary>
/// Issue 15, item 4: Debian's Prometheus scrapes the service's OpenTelemetry Prometheus endpoint
/// (its own HTTP/1.1 loopback listener) while a row stream runs, and the stream metrics are read
/// back from Prometheus' query API. Alone in its collection: see <see cref="MetricsAloneCollection"/>.
/// </summary>
[Collection(MetricsAloneCollection.Name)]
public sealed class PrometheusScrapeTests(PostgresFixture postgres)
{
    private const string Key = "prometheus-key-0123456789";
    private const int Rows = 100_000;

    [Fact]
    public async Task StreamRows_ScrapedByPrometheus_ActiveStreamItemsCallsAndTimeToFirstMessageQueryable()
    {
        var settings = HardeningSettings.WithKeys(("scraped", Key, ["rows:events"]))
            .With("ConnectionStrings:Postgres", postgres.ConnectionString)
            .With("StreamGrpc:Telemetry:Prometheus:Enabled", "true")
            .With("StreamGrpc:Telemetry:Prometheus:Port", "0");
        await using var host = await HardenedHost.StartAsync(settings);
        var scrapeUrl = Assert.Single(host.Services.GetRequiredService<PrometheusScrapeServer>().Addresses);
        Assert.True(scrapeUrl.IsLoopback);
        await using var prometheus = await PrometheusServer.StartAsync(scrapeUrl);
        using var channel = host.CreateChannel();

        // The stream is held open: the client reads one message, then nothing, until Prometheus has
        // seen it running (100 000 rows do not fit in the HTTP/2 flow-control windows).
        var request = new StreamRowsRequest { Dataset = "events", Columns = { "id" }, Limit = Rows, BatchSize = 100 };
        using var call = new RowsService.RowsServiceClient(channel).StreamRows(request, LlmCalls.Bearer(Key), cancellationToken: TestTimeout.Token());
        Assert.True(await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded());
        var rows = (call.ResponseStream.Current.Batch?.Rows.Count ?? 0);

        const string rowsKind = "job=\"streamgrpc\",streamgrpc_kind=\"rows\"";
        await prometheus.WaitForAsync($"streamgrpc_server_active_streams{{{rowsKind}}}", v => v >= 1);
        await prometheus.WaitForAsync($"streamgrpc_server_items_sent_total{{{rowsKind}}}", v => v > 0);

        while (await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded())
        {
            rows += (call.ResponseStream.Current.Batch?.Rows.Count ?? 0);
        }

        Assert.Equal(Rows, rows);
        await prometheus.WaitForAsync($"streamgrpc_server_active_streams{{{rowsKind}}}", v => v == 0);
        await prometheus.WaitForAsync($"streamgrpc_server_items_sent_total{{{rowsKind}}}", v => v >= Rows);
        await prometheus.WaitForAsync($"streamgrpc_server_calls_total{{{rowsKind},rpc_grpc_status_code=\"0\"}}", v => v >= 1);
        await prometheus.WaitForAsync($"streamgrpc_server_time_to_first_message_seconds_count{{{rowsKind}}}", v => v >= 1);
        await prometheus.WaitForAsync($"streamgrpc_server_messages_sent_total{{{rowsKind}}}", v => v >= Rows / 100);

        // The rows/s query of docs/deployment.md answers (items_sent grew between two scrapes).
        await prometheus.WaitForAsync($"sum(rate(streamgrpc_server_items_sent_total{{{rowsKind}}}[1m]))", v => v > 0);

        // The instrumentation's meters come along: ASP.NET Core's request duration of the call's route.
        await prometheus.WaitForAsync("http_server_request_duration_seconds_count{job=\"streamgrpc\",http_route=\"/streamgrpc.v1.RowsService/StreamRows\"}", v => v >= 1);
    }
}

/// <summary>The scrape endpoint's settings: off unless enabled, loopback unless allowed.</summary>
public sealed class PrometheusScrapeSettingsTests
{
    [Fact]
    public async Task Default_NoScrapeListener()
    {
        await using var host = await HardenedHost.StartAsync(HardeningSettings.WithKeys(("metrics", "metrics-key-0123456789", ["llm"])));
        Assert.Null(host.Services.GetService<PrometheusScrapeServer>());
    }

    [Fact]
    public async Task Enabled_ServesMetricsOverHttp1OnLoopbackOnly()
    {
        var settings = HardeningSettings.WithKeys(("metrics", "metrics-key-0123456789", ["llm"])).With("StreamGrpc:Telemetry:Prometheus:Enabled", "true").With("StreamGrpc:Telemetry:Prometheus:Port", "0");
        await using var host = await HardenedHost.StartAsync(settings);
        var scrapeUrl = Assert.Single(host.Services.GetRequiredService<PrometheusScrapeServer>().Addresses);

        using var http = new HttpClient();
        var text = await http.GetStringAsync(scrapeUrl).Bounded();
        using var other = await http.GetAsync(new Uri(scrapeUrl, "/streamgrpc.v1.RowsService/StreamRows")).Bounded();

        Assert.Equal("127.0.0.1", scrapeUrl.Host);
        Assert.Contains("# TYPE ", text, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public void NonLoopbackAddress_WithoutAllowRemote_FailsStartUp()
    {
        var settings = HardeningSettings.WithKeys(("metrics", "metrics-key-0123456789", ["llm"]))
            .With("StreamGrpc:Telemetry:Prometheus:Enabled", "true")
            .With("StreamGrpc:Telemetry:Prometheus:Address", "0.0.0.0");

        var failure = Assert.Throws<OptionsValidationException>(() => StreamServiceApp.Build(["--environment", "Production"], b => b.Configuration.AddInMemoryCollection(settings)));
        Assert.Contains("AllowRemote", failure.Message, StringComparison.Ordinal);
    }
}
