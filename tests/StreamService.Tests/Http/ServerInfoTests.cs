using System.Net;
using System.Text.Json.Nodes;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Hardening;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;

namespace StreamService.Tests.Http;

/// <summary>ServerInfo.GetInfo over gRPC and <c>GET /v1/info</c>: what the instance serves.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ServerInfoTests(PostgresFixture postgres)
{
    [Fact]
    public async Task GetInfo_Grpc_DatasetsWithCatalogueColumnsRootsModelsAndAuthMode()
    {
        await RowsTestData.EnsureAsync(postgres);
        var settings = RowsHarness.Configuration(postgres.ConnectionString);
        settings["StreamGrpc:Jobs:InstanceId"] = "info-test-instance";
        await using var host = await HttpJsonHost.StartAsync(settings);

        var info = await new ServerInfo.ServerInfoClient(host.Channel).GetInfoAsync(new GetInfoRequest(), deadline: DateTime.UtcNow.Add(TestTimeout.Default));

        Assert.Equal("info-test-instance", info.InstanceId);
        Assert.False(string.IsNullOrEmpty(info.Version));
        Assert.Equal(StreamGrpc.V1.AuthMode.None, info.AuthMode);
        var narrow = Assert.Single(info.Datasets, d => d.Name == "narrow");
        Assert.Equal(["category", "quantity"], narrow.Columns);
        Assert.Equal(["id"], narrow.KeyColumns);
        Assert.False(narrow.ColumnsFromConfiguration);
        var events = Assert.Single(info.Datasets, d => d.Name == "events");
        Assert.Equal(15, events.Columns.Count);
        Assert.Equal(["demo"], info.FileRoots.Select(r => r.Name));
        Assert.Contains(info.Models, m => m.Name == "builtin-echo" && m.Backend == ModelBackend.Builtin);
    }

    [Fact]
    public async Task GetInfo_HttpJsonDatabaseDown_ConfiguredColumnsStillListed()
    {
        var settings = RowsHarness.Configuration("Host=127.0.0.1;Port=9;Username=streamgrpc;Database=streamgrpc;Timeout=2");
        await using var host = await HttpJsonHost.StartAsync(settings);

        using var response = await host.Http1.GetAsync("/v1/info").Bounded();
        var info = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var narrow = info["datasets"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "narrow")!;
        Assert.Equal(["category", "quantity"], narrow["columns"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.True(narrow["columnsFromConfiguration"]!.GetValue<bool>());
    }

    [Fact]
    public async Task GetInfo_AuthenticatedWithoutAnyStreamScope_Answered_AnonymousRefused()
    {
        const string key = "info-key-0123456789abcdef";
        var settings = HardeningSettings.WithKeys(("llm-only", key, ["llm:builtin-echo"]));
        await using var host = await HttpJsonHost.StartAsync(settings);
        var client = new ServerInfo.ServerInfoClient(host.Channel);

        var info = await client.GetInfoAsync(new GetInfoRequest(), new Metadata { { "authorization", "Bearer " + key } }, DateTime.UtcNow.Add(TestTimeout.Default));
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.GetInfoAsync(new GetInfoRequest(), deadline: DateTime.UtcNow.Add(TestTimeout.Default)).ResponseAsync);

        Assert.Equal(StreamGrpc.V1.AuthMode.Bearer, info.AuthMode);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }
}
