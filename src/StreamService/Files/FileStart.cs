namespace StreamService.Files;

/// <summary>Where a stream starts: a line number, or a byte offset of a line start (resume point).</summary>
/// <param name="Line">1-based line to start at (0 or 1: the first line). Ignored when <paramref name="Offset"/> is set.</param>
/// <param name="Offset">Byte offset of a line start; 0 for the beginning.</param>
/// <param name="OffsetLineNumber">Number of the line at <paramref name="Offset"/>; 0 when unknown.</param>
internal readonly record struct FileStart(long Line, long Offset, long OffsetLineNumber)
{
    public static FileStart Beginning => default;
}
