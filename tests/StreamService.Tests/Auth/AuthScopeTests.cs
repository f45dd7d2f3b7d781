using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Hardening;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;

namespace StreamService.Tests.Auth;

/// <summary>Scopes as ASP.NET Core authorization, over gRPC: a caller (API key or issuer JWT)
/// without a scope for the dataset, file root or job service it asks for is refused
/// PERMISSION_DENIED before any source is touched; the same call with a scope gets through, which
/// shows each "untouched" check can see a touch.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AuthScopeTests(PostgresFixture postgres)
{
    private const string ReporterKey = "scope-tests-reporter-0123456789";
    private const string AdminKey = "scope-tests-admin-0123456789";
    private const string SecretTable = "auth_scope_secret";

    [Fact]
    public async Task StreamRows_DatasetNotInScope_PermissionDeniedWithoutAnyQuery()
    {
        await postgres.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {SecretTable} (id bigint PRIMARY KEY, note text); "
            + $"INSERT INTO {SecretTable} VALUES (1, 'salaries') ON CONFLICT DO NOTHING");
        var key = IssuerKey.EcP256("scopes");
        await using var issuer = await AuthTestIssuer.StartAsync(key);
        var applicationName = "auth-scope-" + Guid.NewGuid().ToString("N")[..12];
        var settings = issuer.Settings(HardeningSettings.WithKeys(("reporter", ReporterKey, ["rows:events"]), ("admin", AdminKey, ["*"])));
        foreach (var (name, value) in RowsHarness.Configuration(postgres.ConnectionStringFor(applicationName)))
        {
            settings[name] = value;
        }

        settings["StreamGrpc:Rows:Datasets:secret:Table"] = SecretTable;
        settings["StreamGrpc:Rows:Datasets:secret:KeyColumns:0"] = "id";
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel();
        var client = new RowsService.RowsServiceClient(channel);

        var byKey = await Assert.ThrowsAsync<RpcException>(() => ReadRowsAsync(client, "secret", ReporterKey));
        var byJwt = await Assert.ThrowsAsync<RpcException>(() => ReadRowsAsync(client, "secret", issuer.Token(key, "rows:events rows:sales-*", subject: "bob")));

        Assert.Equal(StatusCode.PermissionDenied, byKey.StatusCode);
        Assert.Contains("caller 'reporter' has no scope for 'rows:secret'", byKey.Status.Detail);
        Assert.Equal(StatusCode.PermissionDenied, byJwt.StatusCode);
        Assert.Contains("caller 'bob' has no scope for 'rows:secret'", byJwt.Status.Detail);
        Assert.Equal(0, await QueriesOfAsync(applicationName, SecretTable));

        // In scope: the same dataset is queried (and the check above can see it).
        Assert.Equal(1, await ReadRowsAsync(client, "secret", AdminKey));
        Assert.True(await QueriesOfAsync(applicationName, SecretTable) > 0, "the allowed call's query is not in pg_stat_activity");
    }

    [Fact]
    public async Task JobsCalls_NoJobsScope_PermissionDenied()
    {
        var applicationName = "auth-scope-" + Guid.NewGuid().ToString("N")[..12];
        var settings = HardeningSettings.WithKeys(("reporter", ReporterKey, ["rows:*"]), ("admin", AdminKey, ["jobs"]));
        settings["ConnectionStrings:Postgres"] = postgres.ConnectionStringFor(applicationName);
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel();
        var client = new JobsService.JobsServiceClient(channel);

        var denied = await Assert.ThrowsAsync<RpcException>(() => client.ListAsync(new ListJobsRequest(), LlmCalls.Bearer(ReporterKey), cancellationToken: TestTimeout.Token()).ResponseAsync.Bounded());
        var allowed = await client.ListAsync(new ListJobsRequest { Limit = 1 }, LlmCalls.Bearer(AdminKey), cancellationToken: TestTimeout.Token()).ResponseAsync.Bounded();

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("no scope for 'jobs'", denied.Status.Detail);
        Assert.NotNull(allowed);
    }

    [Fact]
    public async Task StreamLines_RootNotInScope_PermissionDeniedWithoutReadingTheFile()
    {
        var settings = HardeningSettings.WithKeys(("reporter", ReporterKey, ["files:demo"]), ("admin", AdminKey, ["files"]));
        var root = settings.FileRoot("private");
        var file = Path.Combine(root, "a.log");
        await File.WriteAllTextAsync(file, "secret\n");

        // relatime (the default mount option) updates the access time on a read when it is older
        // than the modification time: set it so, and any read of the file shows.
        var untouched = File.GetLastWriteTimeUtc(file).AddDays(-1);
        File.SetLastAccessTimeUtc(file, untouched);
        var logs = new CapturedLogs();
        await using var host = await HardenedHost.StartAsync(settings, logs);
        using var channel = host.CreateChannel();
        var client = new FileLines.FileLinesClient(channel);

        var denied = await Assert.ThrowsAsync<RpcException>(() => ReadLinesAsync(client, ReporterKey));

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("no scope for 'files:private'", denied.Status.Detail);
        Assert.Equal(untouched, File.GetLastAccessTimeUtc(file));
        Assert.DoesNotContain(logs.Entries, e => e.Category.StartsWith("StreamService.Files", StringComparison.Ordinal));

        Assert.Equal(["secret"], await ReadLinesAsync(client, AdminKey));
        Assert.NotEqual(untouched, File.GetLastAccessTimeUtc(file));
    }

    [Fact]
    public async Task GetInfo_NarrowScopes_ListsOnlyWhatTheCallerMayStream()
    {
        var settings = HardeningSettings.WithKeys(("reporter", ReporterKey, ["rows:events", "llm:builtin-echo"]), ("admin", AdminKey, ["*"])).FastBuiltinModels();
        foreach (var (name, value) in RowsHarness.Configuration(postgres.ConnectionString))
        {
            settings[name] = value;
        }

        settings.FileRoot("private");
        await using var host = await HardenedHost.StartAsync(settings);
        using var channel = host.CreateChannel();
        var client = new ServerInfo.ServerInfoClient(channel);

        var narrow = await client.GetInfoAsync(new GetInfoRequest(), LlmCalls.Bearer(ReporterKey), cancellationToken: TestTimeout.Token()).ResponseAsync.Bounded();
        var all = await client.GetInfoAsync(new GetInfoRequest(), LlmCalls.Bearer(AdminKey), cancellationToken: TestTimeout.Token()).ResponseAsync.Bounded();

        Assert.Equal(["events"], narrow.Datasets.Select(d => d.Name));
        Assert.Empty(narrow.FileRoots);
        Assert.Equal(["builtin-echo"], narrow.Models.Select(m => m.Name));
        Assert.True(all.Datasets.Count > 1);
        Assert.Contains(all.FileRoots, r => r.Name == "private");
        Assert.Equal(2, all.Models.Count);
    }

    private static async Task<long> ReadRowsAsync(RowsService.RowsServiceClient client, string dataset, string token)
    {
        using var call = client.StreamRows(new StreamRowsRequest { Dataset = dataset }, LlmCalls.Bearer(token), cancellationToken: TestTimeout.Token());
        long rows = 0;
        await foreach (var message in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            rows += message.Batch?.Rows.Count ?? 0;
        }

        return rows;
    }

    private static async Task<List<string>> ReadLinesAsync(FileLines.FileLinesClient client, string token)
    {
        using var call = client.StreamLines(new StreamLinesRequest { Root = "private", Path = "a.log" }, LlmCalls.Bearer(token), cancellationToken: TestTimeout.Token());
        var lines = new List<string>();
        await foreach (var batch in call.ResponseStream.ReadAllAsync(TestTimeout.Token()))
        {
            lines.AddRange(batch.Lines.Select(l => l.Text));
        }

        return lines;
    }

    /// <summary>Backends of the service (its application_name) whose current or last query names the table.</summary>
    private Task<long> QueriesOfAsync(string applicationName, string table) => postgres.ScalarAsync<long>(
        $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{applicationName}' AND query LIKE '%{table}%'");
}
