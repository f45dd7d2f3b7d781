using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamGrpc.V1;
using StreamService.Rows;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Rows;

/// <summary>The row-stream services as the application registers them (<c>AddRows</c>), against
/// the real test PostgreSQL, called without the wire.</summary>
internal sealed class RowsHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private RowsHarness(ServiceProvider provider, CapturingLoggerProvider logs, string applicationName)
    {
        _provider = provider;
        Logs = logs;
        ApplicationName = applicationName;
    }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>application_name of the harness's connections in pg_stat_activity.</summary>
    public string ApplicationName { get; }

    public IServiceProvider Services => _provider;

    public static Dictionary<string, string?> Configuration(string connectionString, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["StreamGrpc:Rows:ResumeTokenKey"] = Convert.ToBase64String("rows-tests-resume-token-key-0123456789"u8),
            ["StreamGrpc:Rows:Datasets:events:Table"] = "events",
            ["StreamGrpc:Rows:Datasets:events:KeyColumns:0"] = "id",
            ["StreamGrpc:Rows:Datasets:types:Table"] = RowsTestData.TypesTable,
            ["StreamGrpc:Rows:Datasets:types:KeyColumns:0"] = "id",
            ["StreamGrpc:Rows:Datasets:slow:Table"] = RowsTestData.SlowView,
            ["StreamGrpc:Rows:Datasets:slow:KeyColumns:0"] = "id",
            ["StreamGrpc:Rows:Datasets:pairs:Table"] = RowsTestData.PairsTable,
            ["StreamGrpc:Rows:Datasets:pairs:KeyColumns:0"] = "a",
            ["StreamGrpc:Rows:Datasets:pairs:KeyColumns:1"] = "b",
            ["StreamGrpc:Rows:Datasets:narrow:Table"] = "events",
            ["StreamGrpc:Rows:Datasets:narrow:KeyColumns:0"] = "id",
            ["StreamGrpc:Rows:Datasets:narrow:Columns:0"] = "category",
            ["StreamGrpc:Rows:Datasets:narrow:Columns:1"] = "quantity",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public static RowsHarness Create(PostgresFixture postgres, IDictionary<string, string?>? overrides = null)
    {
        var applicationName = "rows-test-" + Guid.NewGuid().ToString("N")[..12];
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Configuration(postgres.ConnectionStringFor(applicationName), overrides))
            .Build();
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddRows(configuration);
        return new RowsHarness(services.BuildServiceProvider(), logs, applicationName);
    }

    /// <summary>One call through <see cref="StreamService.Rows.RowsService"/>, collecting messages and the final status.</summary>
    public async Task<RowsCallResult> CallAsync(StreamRowsRequest request, Func<StreamRowsResponse, int, Task>? onWrite = null, CancellationToken cancellationToken = default)
    {
        var service = ActivatorUtilities.CreateInstance<StreamService.Rows.RowsService>(_provider);
        var writer = new CollectingStreamWriter<StreamRowsResponse>(onWrite);
        try
        {
            await service.StreamRows(request, writer, new TestServerCallContext(cancellationToken)).Within();
            return new RowsCallResult(writer.Messages, null);
        }
        catch (RpcException ex)
        {
            return new RowsCallResult(writer.Messages, ex);
        }
    }

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();
}

/// <summary>What a call produced.</summary>
internal sealed record RowsCallResult(List<StreamRowsResponse> Messages, RpcException? Error)
{
    public Schema? Schema => Messages.FirstOrDefault()?.Schema;

    public List<RowBatch> Batches => [.. Messages.Where(m => m.KindCase == StreamRowsResponse.KindOneofCase.Batch).Select(m => m.Batch)];

    public List<Row> Rows => [.. Batches.SelectMany(b => b.Rows)];

    /// <summary>The first column of every row as an integer (the key in most tests).</summary>
    public List<long> Ids => [.. Rows.Select(r => r.Values[0].IntValue)];

    public RowsCallResult Succeeded()
    {
        if (Error is not null)
        {
            throw new Xunit.Sdk.XunitException($"call failed: {Error.StatusCode} {Error.Status.Detail}");
        }

        return this;
    }
}
