namespace StreamService.Files;

/// <summary>What flows through the filter stages: a line, or an in-band event of the source that
/// stages pass through untouched so it reaches the batcher in order with the lines.</summary>
internal enum LineItemKind
{
    Line,

    /// <summary>The source reached the end of a followed file and is about to wait: send what is pending.</summary>
    Idle,

    /// <summary>The followed file shrank; numbering restarts at line 1, offset 0.</summary>
    Truncated,

    /// <summary>The followed path now names another file; numbering restarts at line 1, offset 0.</summary>
    Replaced,
}

/// <summary>One line (or event) of a file.</summary>
/// <param name="Number">1-based line number.</param>
/// <param name="Offset">Byte offset of the line start.</param>
/// <param name="NextOffset">Byte offset just past the line's terminator: where the next line starts.</param>
/// <param name="Text">Decoded text without terminator.</param>
/// <param name="Truncated">The line was cut at the maximum line length.</param>
internal readonly record struct LineItem(LineItemKind Kind, long Number, long Offset, long NextOffset, string Text, bool Truncated)
{
    public static LineItem Idle { get; } = new(LineItemKind.Idle, 0, 0, 0, string.Empty, false);

    public static LineItem Line(long number, long offset, long nextOffset, string text, bool truncated) =>
        new(LineItemKind.Line, number, offset, nextOffset, text, truncated);

    /// <summary>A reset event; its position is where the new content starts.</summary>
    public static LineItem Reset(LineItemKind kind) => new(kind, 1, 0, 0, string.Empty, false);

    public bool IsLine => Kind == LineItemKind.Line;
}
