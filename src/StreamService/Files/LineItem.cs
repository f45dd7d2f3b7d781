using System.Text;

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
/// <remarks>A line holds its text either as a string or, when the source was asked to lend them
/// (<see cref="FileLineSource.ReadAsync(bool, CancellationToken)"/>), as a <b>lent</b> view of the
/// line reader's buffer holding valid UTF-8 (<see cref="IsLent"/>, <see cref="Utf8"/>). A lent view
/// is only valid until the next item is pulled from the source: whoever keeps an item past that, or
/// reads its <see cref="Text"/> more than once, calls <see cref="Materialise"/> first. Reading
/// <see cref="Text"/> of a lent line decodes it (each time); setting it (<c>with { Text = ... }</c>)
/// replaces the view by the string.</remarks>
internal readonly record struct LineItem
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _utf8;

    private LineItem(LineItemKind kind, long number, long offset, long nextOffset, string? text, ReadOnlyMemory<byte> utf8, bool truncated)
    {
        Kind = kind;
        Number = number;
        Offset = offset;
        NextOffset = nextOffset;
        _text = text;
        _utf8 = utf8;
        Truncated = truncated;
    }

    public static LineItem Idle { get; } = new(LineItemKind.Idle, 0, 0, 0, string.Empty, default, false);

    public LineItemKind Kind { get; init; }

    /// <summary>1-based line number.</summary>
    public long Number { get; init; }

    /// <summary>Byte offset of the line start.</summary>
    public long Offset { get; init; }

    /// <summary>Byte offset just past the line's terminator: where the next line starts.</summary>
    public long NextOffset { get; init; }

    /// <summary>The line was cut at the maximum line length.</summary>
    public bool Truncated { get; init; }

    /// <summary>Decoded text without terminator (decoded on every read for a lent line).</summary>
    public string Text
    {
        get => _text ?? s_utf8.GetString(_utf8.Span);
        init
        {
            _text = value;
            _utf8 = default;
        }
    }

    /// <summary>The text is a lent UTF-8 view (<see cref="Utf8"/>), not a string.</summary>
    public bool IsLent => _text is null && IsLine;

    /// <summary>The lent UTF-8 text (valid UTF-8, no terminator, no byte order mark); empty unless
    /// <see cref="IsLent"/>. Valid only until the next item is pulled from the source.</summary>
    public ReadOnlySpan<byte> Utf8 => _utf8.Span;

    /// <summary>The text is empty, without decoding a lent line.</summary>
    public bool IsEmpty => _text is null ? _utf8.IsEmpty : _text.Length == 0;

    public bool IsLine => Kind == LineItemKind.Line;

    public static LineItem Line(long number, long offset, long nextOffset, string text, bool truncated) =>
        new(LineItemKind.Line, number, offset, nextOffset, text, default, truncated);

    /// <summary>A line whose text is lent: <paramref name="utf8"/> must be valid UTF-8.</summary>
    public static LineItem Lent(long number, long offset, long nextOffset, ReadOnlyMemory<byte> utf8, bool truncated) =>
        new(LineItemKind.Line, number, offset, nextOffset, null, utf8, truncated);

    /// <summary>A reset event; its position is where the new content starts.</summary>
    public static LineItem Reset(LineItemKind kind) => new(kind, 1, 0, 0, string.Empty, default, false);

    /// <summary>The same item with its text as a string: safe to keep after the next pull.</summary>
    public LineItem Materialise() => IsLent ? this with { Text = Text } : this;
}
