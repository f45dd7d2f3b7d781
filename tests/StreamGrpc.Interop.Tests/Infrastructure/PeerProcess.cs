using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>A peer program (Python, Node, or one of our interop programs) run as a child process,
/// its output collected line by line. Every wait is bounded; disposing kills the process tree.</summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private Task _exited = Task.CompletedTask;

    private PeerProcess(Process process)
    {
        _process = process;
    }

    public string CommandLine => $"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)}";

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

    /// <summary>Starts <paramref name="fileName"/>; a peer that is not installed fails here.</summary>
    public static PeerProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Kept open so a peer server can notice (--exit_on_stdin_eof) when the test host is gone.
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["PYTHONUNBUFFERED"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var peer = new PeerProcess(process);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data, toLines: true);
        process.ErrorDataReceived += (_, e) => peer.OnLine(e.Data, toLines: false);
        try
        {
            process.Start();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"Cannot start peer '{fileName}': {e.Message}. Install the interop peers with scripts/install-peers.sh.", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        peer._exited = peer.WatchExitAsync();
        return peer;
    }

    /// <summary>Waits for the first stdout line that <paramref name="match"/> accepts, e.g. a
    /// server's "listening on PORT".</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(cts.Token))
            {
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"'{CommandLine}' printed no expected line within {timeout}. Output:\n{Output}");
        }

        throw new InvalidOperationException($"'{CommandLine}' exited (code {ExitCodeOrNull()}) without the expected line. Output:\n{Output}");
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
                _process.StandardInput.Close();
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

    private int? ExitCodeOrNull() => _process.HasExited ? _process.ExitCode : null;
}
