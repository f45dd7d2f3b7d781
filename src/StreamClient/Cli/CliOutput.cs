using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using Spectre.Console;

namespace StreamClient.Cli;

/// <summary>Where commands write: NDJSON for pipes and scripts (--json), or readable text with colour
/// only when stdout is a terminal. Errors always go to stderr. Stdout is written through its file
/// descriptor, not the console stream (which drops EPIPE silently), and watched for its reader
/// going away: either way <see cref="Closed"/> is cancelled and writes throw
/// <see cref="OutputClosedException"/>.</summary>
internal sealed class CliOutput : IDisposable
{
    private readonly Stream _stdout;
    private readonly Utf8JsonWriter? _json;
    private readonly TextWriter _text;
    private readonly StdoutReaderWatcher _reader = StdoutReaderWatcher.Start();

    public CliOutput(bool json)
    {
        IsJson = json;
        _stdout = OpenStdout();
        _text = new StreamWriter(_stdout, new System.Text.UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
        if (json)
        {
            _json = new Utf8JsonWriter(_stdout, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        }

        IsTerminal = !Console.IsOutputRedirected;
        Error = CreateErrorConsole(new AnsiConsoleOutput(Console.Error), Console.IsErrorRedirected);
    }

    public bool IsJson { get; }

    /// <summary>Whether stdout is an interactive terminal (colours, progress bars allowed).</summary>
    public bool IsTerminal { get; }

    /// <summary>The console for diagnostics and progress (stderr).</summary>
    public IAnsiConsole Error { get; }

    /// <summary>Cancelled once stdout has no reader.</summary>
    public CancellationToken Closed => _reader.Closed;

    public bool IsClosed => _reader.IsClosed;

    /// <summary>The stderr console: the terminal's width on a terminal; redirected (a log, a pipe,
    /// a CI runner), no colours and no width at all, so a message stays one line for grep.</summary>
    internal static IAnsiConsole CreateErrorConsole(IAnsiConsoleOutput output, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = output,
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (redirected)
        {
            // Spectre assumes 80 columns when the output is not a terminal and wraps words there.
            console.Profile.Width = int.MaxValue;
        }

        return console;
    }

    /// <summary>Writes one JSON object as a line.</summary>
    public void WriteJson(Action<Utf8JsonWriter> write)
    {
        var json = _json ?? throw new InvalidOperationException("Not in JSON mode.");
        Guard(() =>
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
            json.Flush();
            json.Reset();
            _stdout.WriteByte((byte)'\n');
        });
    }

    public void WriteLine(string text) => Guard(() => _text.WriteLine(text));

    public void Write(string text) => Guard(() => _text.Write(text));

    /// <summary>Pushes buffered output; called per message so streams appear as they arrive.</summary>
    public void Flush() => Guard(() =>
    {
        _text.Flush();
        _stdout.Flush();
    });

    public void Dispose()
    {
        if (!IsClosed)
        {
            try
            {
                Flush();
            }
            catch (OutputClosedException)
            {
            }
        }

        _json?.Dispose();
        _reader.Dispose();
    }

    private void Guard(Action write)
    {
        if (IsClosed)
        {
            throw new OutputClosedException(new IOException("stdout has no reader."));
        }

        try
        {
            write();
        }
        catch (IOException e)
        {
            // EPIPE (the usual case) or another failure of stdout itself: either way nobody reads on.
            _reader.MarkClosed();
            throw new OutputClosedException(e);
        }
    }

    /// <summary>A pipe, socket or terminal is written with write(2) on the descriptor, where EPIPE
    /// surfaces. A regular file keeps the console stream: a FileStream writes a seekable file at
    /// its own position (pwrite), which would overwrite what the shell appends to the same file.</summary>
    private static Stream OpenStdout()
    {
        try
        {
            var descriptor = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (!descriptor.CanSeek)
            {
                return descriptor;
            }

            descriptor.Dispose(); // does not close fd 1
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            // stdout closed or of an unusual kind
        }

        return Console.OpenStandardOutput();
    }
}
