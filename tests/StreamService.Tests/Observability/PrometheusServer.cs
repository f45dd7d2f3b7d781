using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Observability;

/// <summary>
/// Debian's Prometheus server (scripts/install-prometheus.sh) run as a plain process for one test:
/// a generated config that scrapes one target every second, a temp data directory, a free loopback
/// port. Read back through its HTTP API (<c>/api/v1/query</c>).
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;
    private readonly Uri _target;

    private PrometheusServer(Process process, string directory, Uri address, Uri target)
    {
        _process = process;
        _target = target;
        _directory = directory;
        Address = address;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Address { get; }

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (an http URL with the metrics path) and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(Uri target)
    {
        var binary = FindBinary() ?? throw new InvalidOperationException("prometheus is not installed: run scripts/install-prometheus.sh (test.sh does).");
        var directory = Directory.CreateTempSubdirectory("streamgrpc-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: streamgrpc
                metrics_path: {target.AbsolutePath}
                static_configs:
                  - targets: ['{target.Authority}']
            """);

        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"), target);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.PollAsync(async () => (await server.TryGetAsync("-/ready")) == HttpStatusCode.OK, "ready");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>An instant query: each series' labels and value.</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var results = new List<(Dictionary<string, string>, double)>();
        foreach (var series in json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            var value = double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            results.Add((labels, value));
        }

        return results;
    }

    /// <summary>Polls <paramref name="promql"/> until one series' value satisfies <paramref name="condition"/>
    /// (bounded by the test timeout) and returns that value.</summary>
    public async Task<double> WaitForAsync(string promql, Func<double, bool> condition)
    {
        double? found = null;
        IReadOnlyList<(Dictionary<string, string> Labels, double Value)> last = [];
        await PollAsync(
            async () =>
            {
                last = await QueryAsync(promql);
                found = last.Select(r => (double?)r.Value).FirstOrDefault(v => condition(v!.Value));
                return found is not null;
            },
            promql,
            () => string.Join("; ", last.Select(r => "{" + string.Join(",", r.Labels.Select(l => l.Key + "=" + l.Value)) + "} " + r.Value)));
        return found!.Value;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().Bounded();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Asks again every <see cref="PollInterval"/> until the answer is yes: Prometheus has
    /// no way to wait on a query, so the test polls the observed condition, bounded by the test timeout.</summary>
    private async Task PollAsync(Func<Task<bool>> observed, string what, Func<string>? lastSeen = null)
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        using var timer = new PeriodicTimer(PollInterval);
        while (!await observed())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited ({_process.ExitCode}) while waiting for {what}: {Output()}");
            }

            try
            {
                await timer.WaitForNextTickAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"prometheus: {what} not observed within {TestTimeout.Default}; last answer: [{lastSeen?.Invoke()}]; targets: {await TargetsAsync()}; the target itself: [{await ScrapeTargetAsync()}]; log: {Output()}");
            }
        }
    }

    /// <summary>The scrape targets' health and last error, for a failure message.</summary>
    private async Task<string> TargetsAsync()
    {
        try
        {
            return await _http.GetStringAsync("api/v1/targets?state=active");
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    /// <summary>The target's own answer (its StreamGrpc series), for a failure message.</summary>
    private async Task<string> ScrapeTargetAsync()
    {
        try
        {
            var text = await _http.GetStringAsync(_target);
            return string.Join(" | ", text.Split('\n').Where(l => l.StartsWith("streamgrpc_server", StringComparison.Ordinal)).Take(40));
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    private async Task<HttpStatusCode?> TryGetAsync(string path)
    {
        try
        {
            using var response = await _http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static string? FindBinary() => (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "prometheus"))
        .FirstOrDefault(File.Exists);

    /// <summary>A port free at this moment (Prometheus cannot report the port it took for :0).</summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
