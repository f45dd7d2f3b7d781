using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using StreamGrpc.V1;

namespace LoadBench;

/// <summary>Everything around the measurement: database, files, the job the watchers watch.</summary>
internal static class Setup
{
    /// <summary>Advisory lock the import trigger waits on, so the watched job stays running.</summary>
    private const long JobLockKey = 991_177;

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("StreamGrpc.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The throwaway PostgreSQL of scripts/pg.sh under .data/bench-pg, seeded with 100,000 events.</summary>
    public static async Task<string> StartPostgresAsync(string repository)
    {
        var output = await RunAsync(repository, "start", Path.Combine(repository, ".data", "bench-pg"));
        var connectionString = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        await RunAsync(repository, "seed", connectionString, "events", "100000");
        return connectionString;
    }

    /// <summary>Stream kinds in the order they are opened: the row streams first, then the other
    /// three kinds interleaved.</summary>
    public static StreamKind[] Mix(BenchOptions options)
    {
        var others = new[] { StreamKind.FileFollow, StreamKind.JobWatch, StreamKind.LlmSlowTokens };
        return Enumerable.Repeat(StreamKind.RowsSlowReader, options.RowsStreams)
            .Concat(Enumerable.Range(0, options.Streams - options.RowsStreams).Select(i => others[i % others.Length]))
            .ToArray();
    }

    /// <summary>Files to follow and import, the import table with its blocking trigger, and the held lock.</summary>
    public static async Task<NpgsqlConnection> PrepareAsync(NpgsqlDataSource dataSource, string root)
    {
        await File.WriteAllLinesAsync(Path.Combine(root, "follow.log"), Enumerable.Range(1, 100).Select(i => $"line {i}"));
        await File.WriteAllLinesAsync(Path.Combine(root, "people.csv"), ["id,name", "1,one", "2,two"]);
        await using (var command = dataSource.CreateCommand($"""
            DROP TABLE IF EXISTS load_people;
            CREATE TABLE load_people (id bigint, name text);
            CREATE OR REPLACE FUNCTION load_people_block() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_xact_lock_shared({JobLockKey}); RETURN NEW; END $$;
            CREATE TRIGGER load_people_block BEFORE INSERT ON load_people FOR EACH ROW EXECUTE FUNCTION load_people_block();
            """))
        {
            await command.ExecuteNonQueryAsync();
        }

        var connection = await dataSource.OpenConnectionAsync();
        await using var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({JobLockKey})", connection);
        await lockCommand.ExecuteNonQueryAsync();
        return connection;
    }

    public static async Task WaitUntilServingAsync(GrpcChannel channel, ServiceUnderTest service)
    {
        var client = new LlmService.LlmServiceClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                using var call = client.StreamCompletion(new CompletionRequest { Model = "builtin-echo", Messages = { new CompletionMessage { Role = CompletionRole.User, Content = "ping" } } }, deadline: DateTime.UtcNow.AddSeconds(5));
                await foreach (var _ in call.ResponseStream.ReadAllAsync())
                {
                }

                return;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline && !service.HasExited)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Starts an import that blocks on the held lock; returns its id.</summary>
    public static async Task<string> StartBlockedJobAsync(GrpcChannel channel)
    {
        var client = new JobsService.JobsServiceClient(channel);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = client.StartImport(new StartImportRequest { Root = "load", Path = "people.csv", Format = ImportFormat.Csv, Table = "load_people", Csv = new ImportCsvOptions { Header = true } }, cancellationToken: cts.Token);
        await call.ResponseStream.MoveNext(cts.Token);
        return call.ResponseStream.Current.JobId;
    }

    public static async Task CancelJobAsync(GrpcChannel channel, string jobId)
    {
        try
        {
            await new JobsService.JobsServiceClient(channel).CancelAsync(new CancelJobRequest { JobId = jobId }, deadline: DateTime.UtcNow.AddSeconds(10));
        }
        catch (RpcException e)
        {
            Console.Error.WriteLine("load: cancelling the watched job failed: " + e.Status);
        }
    }

    /// <summary>Appends a line to the followed file every 200 ms (5 lines/s to every follower).</summary>
    public static async Task AppendLinesAsync(string path, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var n = 100;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await File.AppendAllTextAsync(path, $"line {++n} at {DateTime.UtcNow:O}\n", stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<string> RunAsync(string repository, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repository };
        start.ArgumentList.Add(Path.Combine(repository, "scripts", "pg.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/pg.sh {args[0]} failed: {await errors}");
        }

        return await output;
    }
}
