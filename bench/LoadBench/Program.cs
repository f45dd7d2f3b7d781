using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using LoadBench;
using Npgsql;
using StreamGrpc.V1;

const string Usage = """
    usage: LoadBench [--streams N] [--duration SECONDS] [--rows N] [--tokens-per-second R]
                     [--json PATH] [--connection-string CS] [--service-dll PATH]
      --streams N              concurrent streams of every kind together (default 2000, at least 4)
      --duration SECONDS       how long the load runs (default 60, at most 600)
      --rows N                 of the streams, slow row readers (default 80, fewer than --streams)
      --tokens-per-second R    pace of the built-in LLM streams (default 2)
      --json PATH              also write the results as JSON
      --connection-string CS   PostgreSQL to use (default: start scripts/pg.sh under .data)
      --service-dll PATH       the StreamService.dll to run (default: the Release build)
    """;

if (!StreamGrpc.Bench.BenchCommandLine.TryParse(args, Usage, BenchOptions.Parse, out var options, out var exitCode))
{
    return exitCode;
}
var repository = Setup.FindRepositoryRoot();
var dll = options.ServiceDll ?? Path.Combine(repository, "src", "StreamService", "bin", "Release", "net10.0", "StreamService.dll");
var connectionString = options.ConnectionString ?? await Setup.StartPostgresAsync(repository);
var root = Directory.CreateTempSubdirectory("streamgrpc-load-").FullName;
await using var dataSource = NpgsqlDataSource.Create(connectionString);
await using var jobLock = await Setup.PrepareAsync(dataSource, root);

var kinds = Setup.Mix(options);
// One pooled connection per slow row reader; no command timeout, because the watched import sits
// blocked on the bench's lock for the whole run (a real import would be moving instead).
var serviceConnection = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = options.RowsStreams + 30, CommandTimeout = 0, ApplicationName = "loadbench-service" }.ConnectionString;
using var service = ServiceUnderTest.Start(dll, new Dictionary<string, string>
{
    ["ConnectionStrings__Postgres"] = serviceConnection,
    ["StreamGrpc__Files__Roots__load"] = root,
    ["StreamGrpc__Files__FollowPollInterval"] = "00:00:01",
    ["StreamGrpc__Jobs__Tables__load_people__Table"] = "load_people",
    ["StreamGrpc__Jobs__CreateDemoTable"] = "false",
    ["StreamGrpc__Jobs__InstanceId"] = "loadbench-" + Environment.ProcessId,
    ["StreamGrpc__Llm__Models__0__Name"] = "builtin-slow",
    ["StreamGrpc__Llm__Models__0__Backend"] = "builtin",
    ["StreamGrpc__Llm__Models__0__Text"] = "Lorem",
    ["StreamGrpc__Llm__Models__0__TokensPerSecond"] = options.TokensPerSecond.ToString(CultureInfo.InvariantCulture),
    ["StreamGrpc__Auth__Mode"] = "None",
    // All streams come from this one process, i.e. one caller: the per-caller limits (docs/operations.md) would
    // refuse most of them, so the bench measures the instance with them off.
    ["StreamGrpc__Limits__MaxConcurrentStreamsPerCaller"] = "0",
    ["StreamGrpc__Limits__CallsPerSecondPerCaller"] = "0",
    ["StreamGrpc__Grpc__StalledConsumerTimeout"] = "00:10:00",
});

using var channel = GrpcChannel.ForAddress(service.Address, new GrpcChannelOptions
{
    HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan, UseProxy = false },
});
await Setup.WaitUntilServingAsync(channel, service);
var jobId = await Setup.StartBlockedJobAsync(channel);
var idleRss = service.ResidentBytes();

using var appender = new CancellationTokenSource();
var appending = Setup.AppendLinesAsync(Path.Combine(root, "follow.log"), appender.Token);

Console.Error.WriteLine($"load: {options.Streams} streams ({string.Join(", ", kinds.GroupBy(k => k).Select(g => $"{g.Key} {g.Count()}"))}) for {options.Duration.TotalSeconds:0} s against {service.Address}");
using var stop = new CancellationTokenSource();
var opening = new SemaphoreSlim(100);
var started = Stopwatch.StartNew();
var streams = kinds.Select(kind => Streams.RunAsync(channel, kind, jobId, opening, stop.Token)).ToArray();

await Task.WhenAny(Task.WhenAll(streams), Task.Delay(options.Duration));
var stillOpen = streams.Count(s => !s.IsCompleted);
var loadedRss = service.ResidentBytes();
await stop.CancelAsync();
var outcomes = await Task.WhenAll(streams).WaitAsync(TimeSpan.FromSeconds(60));
appender.Cancel();
await appending;
var serverUp = !service.HasExited;
await Setup.CancelJobAsync(channel, jobId);

var report = Report.Create(options, outcomes, stillOpen, idleRss, loadedRss, serverUp, started.Elapsed);
report.Print(Console.Out);
if (options.Json is { } json)
{
    await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
}

Directory.Delete(root, recursive: true);
return report.Errors == 0 && serverUp ? 0 : 1;
