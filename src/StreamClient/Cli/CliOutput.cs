using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace StreamClient.Cli;

/// <summary>Where commands write: NDJSON for pipes and scripts (--json), or readable text with colour
/// only when stdout is a terminal. Errors always go to stderr.</summary>
internal sealed class CliOutput : IDisposable
{
    private readonly Stream _stdout = Console.OpenStandardOutput();
    private readonly Utf8JsonWriter? _json;
    private readonly TextWriter _text;

    public CliOutput(bool json)
    {
        IsJson = json;
        _text = new StreamWriter(_stdout, new System.Text.UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
        if (json)
        {
            _json = new Utf8JsonWriter(_stdout, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        }

        IsTerminal = !Console.IsOutputRedirected;
        Error = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = Console.IsErrorRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = Console.IsErrorRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
    }

    public bool IsJson { get; }

    /// <summary>Whether stdout is an interactive terminal (colours, progress bars allowed).</summary>
    public bool IsTerminal { get; }

    /// <summary>The console for diagnostics and progress (stderr).</summary>
    public IAnsiConsole Error { get; }

    /// <summary>Writes one JSON object as a line.</summary>
    public void WriteJson(Action<Utf8JsonWriter> write)
    {
        var json = _json ?? throw new InvalidOperationException("Not in JSON mode.");
        json.WriteStartObject();
        write(json);
        json.WriteEndObject();
        json.Flush();
        json.Reset();
        _stdout.WriteByte((byte)'\n');
    }

    public void WriteLine(string text) => _text.WriteLine(text);

    public void Write(string text) => _text.Write(text);

    /// <summary>Pushes buffered output; called per message so streams appear as they arrive.</summary>
    public void Flush()
    {
        _text.Flush();
        _stdout.Flush();
    }

    public void Dispose()
    {
        Flush();
        _json?.Dispose();
    }
}
