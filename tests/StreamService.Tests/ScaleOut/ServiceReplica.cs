using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.ScaleOut;

/// <summary>
/// One replica of the built service as its own process (<c>dotnet StreamService.dll</c>, the same
/// binary a container runs), configured only through environment variables, listening on an
/// ephemeral loopback port. Its console log (single-line) is kept so a test can see which replica
/// served a call: request logging (Microsoft.AspNetCore.Hosting.Diagnostics) is switched on.
/// </summary>
internal sealed partial class ServiceReplica : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<LogWaiter> _waiters = [];
    private readonly StringBuilder _stderr = new();

    private ServiceReplica(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public Uri Address { get; private set; } = null!;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the replica and waits until Kestrel reports its address.</summary>
    public static async Task<ServiceReplica> StartAsync(string name, string repositoryRoot, IDictionary<string, string> environment)
    {
        var startInfo = ServiceProcess.StartInfo(repositoryRoot, []);
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        startInfo.Environment["Logging__Console__FormatterName"] = "simple";
        startInfo.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        startInfo.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        startInfo.Environment["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information";
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var replica = new ServiceReplica(name, process);
        process.OutputDataReceived += (_, e) => replica.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (replica._stderr)
                {
                    replica._stderr.AppendLine(e.Data);
                }
            }
        };
        var listening = replica.WaitForLogAsync("Now listening on: ");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(listening, process.WaitForExitAsync()).Bounded(TimeSpan.FromSeconds(60));
            if (!listening.IsCompleted)
            {
                throw new InvalidOperationException($"replica {name} exited with {process.ExitCode} before listening:\n{replica.Output}");
            }

            replica.Address = new Uri(ListeningAddress().Match(await listening).Groups[1].Value);
            return replica;
        }
        catch
        {
            await replica.DisposeAsync();
            throw;
        }
    }

    /// <summary>Everything the replica printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                lock (_stderr)
                {
                    return string.Join('\n', _lines) + "\n" + _stderr;
                }
            }
        }
    }

    /// <summary>How many requests for this gRPC method path (e.g. "/streamgrpc.v1.RowsService/StreamRows") reached the replica.</summary>
    public int Requests(string methodPath) => CountLines(RequestLine(methodPath));

    /// <summary>Completes when the replica has logged its <paramref name="count"/>-th request for <paramref name="methodPath"/>.</summary>
    public Task<string> WaitForRequestsAsync(string methodPath, int count) => WaitForLogAsync(RequestLine(methodPath), count);

    public int CountLines(string fragment)
    {
        lock (_lines)
        {
            return _lines.Count(l => Matches(l, fragment));
        }
    }

    /// <summary>Completes with the <paramref name="count"/>-th log line (past or future) that contains <paramref name="fragment"/>.</summary>
    public Task<string> WaitForLogAsync(string fragment, int count = 1)
    {
        lock (_lines)
        {
            var seen = _lines.Where(l => Matches(l, fragment)).Take(count).ToList();
            if (seen.Count == count)
            {
                return Task.FromResult(seen[^1]);
            }

            var waiter = new LogWaiter(fragment, count - seen.Count);
            _waiters.Add(waiter);
            return waiter.Seen.Task;
        }
    }

    // Kestrel's request log (Microsoft.AspNetCore.Hosting.Diagnostics, event 1); the host part is
    // whatever the proxy sent, so only the method path is matched.
    private static string RequestLine(string methodPath) => "Request starting HTTP/2 POST http://" + "|" + methodPath;

    /// <summary>SIGKILL: the replica dies mid-call without draining, like a crashed node.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().Bounded();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (Matches(line, _waiters[i].Fragment) && --_waiters[i].Remaining == 0)
                {
                    _waiters[i].Seen.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>A fragment "a|b" matches lines holding a, then b after it.</summary>
    private static bool Matches(string line, string fragment)
    {
        var bar = fragment.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0)
        {
            return line.Contains(fragment, StringComparison.Ordinal);
        }

        var head = line.IndexOf(fragment[..bar], StringComparison.Ordinal);
        return head >= 0 && line.IndexOf(fragment[(bar + 1)..], head + bar, StringComparison.Ordinal) >= 0;
    }

    private sealed class LogWaiter(string fragment, int remaining)
    {
        public string Fragment { get; } = fragment;

        public int Remaining { get; set; } = remaining;

        public TaskCompletionSource<string> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningAddress();
}
