using StreamGrpc.V1;

namespace StreamClient;

/// <summary>What lines to stream: a file under a configured root, where to start, filter stages.</summary>
public sealed record LinesQuery(string Root, string Path)
{
    /// <summary>1-based line to start at (ignored when <see cref="From"/> is set).</summary>
    public long StartLine { get; init; }

    /// <summary>Position to resume at (offset and line number from a previous stream).</summary>
    public FilePosition? From { get; init; }

    /// <summary>Maximum lines; 0 for no limit.</summary>
    public long MaxLines { get; init; }

    /// <summary>Keep streaming appended lines (like <c>tail -F</c>) until cancelled.</summary>
    public bool Follow { get; init; }

    /// <summary>Filter stages, applied in order.</summary>
    public IReadOnlyList<LineFilter> Filters { get; init; } = [];

    /// <summary>Called when the service reports the file was truncated or replaced.</summary>
    public Action<FileReset>? OnReset { get; init; }
}
