using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>A program run as a child process (the service, a peer client, a script): its stdout
/// read line by line, stdout and stderr kept for failure messages, stdin open for answers. Every
/// wait is bounded; disposing kills the process tree.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new() { SingleReader = true });
    private Task _exited = Task.CompletedTask;

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public string CommandLine => $"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)}";

    public bool HasExited => _process.HasExited;

    /// <summary>Completes when the process has exited and its output has been read.</summary>
    public Task Exited => _exited;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/>; a program that is not installed fails here.</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["PYTHONUNBUFFERED"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["STREAMGRPC_GOOGLE_API_PROTOS"] = RepositoryPaths.GoogleApiProtos;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, toLines: true);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, toLines: false);
        try
        {
            process.Start();
        }
        catch (Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException(
                $"Cannot start '{fileName}': {e.Message}. Install the interop peers with scripts/install-peers.sh.", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        child._exited = child.WatchExitAsync();
        return child;
    }

    /// <summary>The stdout lines, as they come, until the process closes stdout.</summary>
    public IAsyncEnumerable<string> ReadLinesAsync(CancellationToken cancellationToken) => _lines.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Writes one line to the process's stdin.</summary>
    public async Task WriteLineAsync(string line, TimeSpan timeout)
    {
        var stdin = _process.StandardInput;
        await stdin.WriteLineAsync(line).WaitAsync(timeout);
        await stdin.FlushAsync().WaitAsync(timeout);
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"'{CommandLine}' did not finish within {timeout}. Output so far:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _exited.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Already gone, or never started; nothing left to stop.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>Completes when the process has exited and all its output has been read
    /// (WaitForExitAsync waits for the end of redirected streams too).</summary>
    private async Task WatchExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync();
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    private void OnLine(string? line, bool toLines)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (toLines)
        {
            _lines.Writer.TryWrite(line);
        }
    }
}
