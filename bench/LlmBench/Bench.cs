using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using StreamGrpc.V1;

namespace LlmBench;

/// <summary>Runs both measurements and prints one table.</summary>
internal static class Bench
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        await using var upstream = await FakeUpstream.StartAsync(options.Interval);
        using var service = await ServiceProcess.StartAsync(upstream.BaseUrl);
        using var channel = GrpcChannel.ForAddress(service.Address);
        var client = new LlmService.LlmServiceClient(channel);

        // The latency run can use an in-process copy of the service instead: on a shared, loaded
        // machine every hop into another process waits for the scheduler, which is not the service's cost.
        await using var inProcess = options.InProcess ? await InProcessServiceAsync(upstream.BaseUrl) : null;
        using var latencyChannel = GrpcChannel.ForAddress(inProcess?.Urls.First() ?? service.Address.ToString());
        var latencyClient = new LlmService.LlmServiceClient(latencyChannel);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = Timeout.InfiniteTimeSpan };
        var directUrl = new Uri(upstream.BaseUrl + "/chat/completions");

        // Latency: one stream at a time, direct and through the service alternating (which goes
        // first alternates too), so both see the same machine state.
        var direct = new LatencySamples();
        var viaService = new LatencySamples();
        var builtin = new LatencySamples();
        for (var i = 0; i < options.Warmup + options.Iterations; i++)
        {
            var record = i >= options.Warmup;
            if (i % 2 == 0)
            {
                await DirectAsync(http, directUrl, options.Tokens, record ? direct : null);
                await ServiceAsync(latencyClient, "bench-fast", options.Tokens, record ? viaService : null);
            }
            else
            {
                await ServiceAsync(latencyClient, "bench-fast", options.Tokens, record ? viaService : null);
                await DirectAsync(http, directUrl, options.Tokens, record ? direct : null);
            }

            await ServiceAsync(latencyClient, "builtin-bench", 2, record ? builtin : null);
        }

        var concurrency = await ConcurrencyAsync(client, service, options.Streams);

        var rows = new List<(string Metric, string Direct, string Service, string Added)>
        {
            Row("time to first token p50", direct.Ttft, viaService.Ttft, 0.50),
            Row("time to first token p99", direct.Ttft, viaService.Ttft, 0.99),
            Row("inter-token gap p50", direct.Gaps, viaService.Gaps, 0.50),
            Row("inter-token gap p99", direct.Gaps, viaService.Gaps, 0.99),
        };

        Console.WriteLine($"LlmBench: {options.Iterations} streams each way ({options.Warmup} warm-up), {options.Tokens} tokens every {options.Interval.TotalMilliseconds} ms, service {(options.InProcess ? "in-process" : "in a child process")} for latency; {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine($"| {"metric",-26} | {"direct (ms)",12} | {"via service (ms)",16} | {"added (ms)",10} |");
        Console.WriteLine($"|{new string('-', 28)}|{new string('-', 14)}|{new string('-', 18)}|{new string('-', 12)}|");
        foreach (var row in rows)
        {
            Console.WriteLine($"| {row.Metric,-26} | {row.Direct,12} | {row.Service,16} | {row.Added,10} |");
        }

        Console.WriteLine($"| {"builtin backend TTFT p50",-26} | {"-",12} | {Percentile(builtin.Ttft, 0.50),16:0.000} | {"-",10} |");
        Console.WriteLine($"| {"builtin backend TTFT p99",-26} | {"-",12} | {Percentile(builtin.Ttft, 0.99),16:0.000} | {"-",10} |");
        Console.WriteLine();
        Console.WriteLine($"| {"concurrent streams",-26} | {"requested",12} | {"held",16} | {"failed",10} |");
        Console.WriteLine($"|{new string('-', 28)}|{new string('-', 14)}|{new string('-', 18)}|{new string('-', 12)}|");
        Console.WriteLine($"| {"via service (openai)",-26} | {concurrency.Requested,12} | {concurrency.Held,16} | {concurrency.Failed,10} |");
        Console.WriteLine($"service working set: {Mib(concurrency.BaselineBytes)} MiB idle, {Mib(concurrency.LoadedBytes)} MiB with {concurrency.Held} streams open => {concurrency.BytesPerStream / 1024.0:0.0} KiB per stream (each holding its upstream HTTP request)");
        Console.WriteLine($"all {concurrency.Held} streams opened and got a first token in {concurrency.OpenTime.TotalSeconds:0.0} s; all still streaming {concurrency.AliveCheck.TotalSeconds:0.0} s later: {concurrency.AllAlive}");

        if (options.JsonPath is not null)
        {
            var json = new
            {
                options = new { options.Iterations, options.Warmup, options.Tokens, IntervalMs = options.Interval.TotalMilliseconds, options.Streams },
                latency = rows.Select(r => new { r.Metric, DirectMs = r.Direct, ServiceMs = r.Service, AddedMs = r.Added }),
                builtinTtftMs = new { p50 = Percentile(builtin.Ttft, 0.50), p99 = Percentile(builtin.Ttft, 0.99) },
                loadAverage = LoadAverage(),
                concurrency,
            };
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        }

        return concurrency.Held == options.Streams ? 0 : 1;
    }

    private static (string, string, string, string) Row(string metric, List<double> direct, List<double> service, double p)
    {
        var d = Percentile(direct, p);
        var s = Percentile(service, p);
        return (metric, d.ToString("0.000"), s.ToString("0.000"), (s - d).ToString("+0.000;-0.000"));
    }

    private static async Task DirectAsync(HttpClient http, Uri url, int tokens, LatencySamples? samples)
    {
        var body = $$"""{"model":"fast","messages":[{"role":"user","content":"bench"}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":{{tokens}}}""";
        var start = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var times = new List<long>(tokens);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"content\":\" tok", StringComparison.Ordinal))
            {
                times.Add(Stopwatch.GetTimestamp());
            }
        }

        samples?.Add(start, times);
    }

    private static async Task ServiceAsync(LlmService.LlmServiceClient client, string model, int tokens, LatencySamples? samples)
    {
        var request = new CompletionRequest { Model = model, MaxTokens = (uint)tokens, Seed = 1 };
        request.Messages.Add(new CompletionMessage { Role = CompletionRole.User, Content = "bench" });
        var start = Stopwatch.GetTimestamp();
        using var call = client.StreamCompletion(request);
        var times = new List<long>(tokens);
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            if (chunk.KindCase == CompletionChunk.KindOneofCase.Delta)
            {
                times.Add(Stopwatch.GetTimestamp());
            }
        }

        samples?.Add(start, times);
    }

    private static async Task<ConcurrencyResult> ConcurrencyAsync(LlmService.LlmServiceClient client, ServiceProcess service, int streams)
    {
        var baseline = service.WorkingSet;
        using var stop = new CancellationTokenSource();
        var firstTokens = 0;
        var failed = 0;
        var deltas = new int[streams];
        var allOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Stopwatch.StartNew();

        var tasks = Enumerable.Range(0, streams).Select(async i =>
        {
            var request = new CompletionRequest { Model = "bench-slow", MaxTokens = 60 };
            request.Messages.Add(new CompletionMessage { Role = CompletionRole.User, Content = "hold" });
            try
            {
                using var call = client.StreamCompletion(request, cancellationToken: stop.Token);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(stop.Token))
                {
                    if (Interlocked.Increment(ref deltas[i]) == 1 && Interlocked.Increment(ref firstTokens) == streams)
                    {
                        allOpen.TrySetResult();
                    }
                }
            }
            catch (Exception ex) when (stop.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
            }
            catch (Exception ex)
            {
                if (Interlocked.Increment(ref failed) == 1)
                {
                    Console.Error.WriteLine($"first stream failure: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }).ToArray();

        await Task.WhenAny(allOpen.Task, Task.Delay(TimeSpan.FromSeconds(120)));
        var openTime = watch.Elapsed;
        var held = Volatile.Read(ref firstTokens);
        var loaded = service.WorkingSet;

        // Tokens come every second: each stream must have received two more after this pause.
        var before = deltas.ToArray();
        var alive = TimeSpan.FromSeconds(3);
        await Task.Delay(alive);
        var allAlive = held == streams && deltas.Select((d, i) => d - before[i]).All(n => n >= 2);

        stop.Cancel();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        return new ConcurrencyResult(streams, held, failed, baseline, loaded, held == 0 ? 0 : (loaded - baseline) / held, openTime, alive, allAlive);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        var index = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }

    private static async Task<Microsoft.AspNetCore.Builder.WebApplication> InProcessServiceAsync(Uri upstream)
    {
        var address = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        var app = StreamService.StreamServiceApp.Build(ServiceProcess.ServiceArguments(address, upstream));
        await app.StartAsync();
        return app;
    }

    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0");

    private sealed class LatencySamples
    {
        public List<double> Ttft { get; } = [];

        public List<double> Gaps { get; } = [];

        public void Add(long start, List<long> times)
        {
            if (times.Count == 0)
            {
                throw new InvalidOperationException("a stream produced no tokens");
            }

            Ttft.Add(Stopwatch.GetElapsedTime(start, times[0]).TotalMilliseconds);
            for (var i = 1; i < times.Count; i++)
            {
                Gaps.Add(Stopwatch.GetElapsedTime(times[i - 1], times[i]).TotalMilliseconds);
            }
        }
    }

    internal sealed record ConcurrencyResult(int Requested, int Held, int Failed, long BaselineBytes, long LoadedBytes, long BytesPerStream, TimeSpan OpenTime, TimeSpan AliveCheck, bool AllAlive);
}
