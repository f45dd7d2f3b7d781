namespace StreamService.Rows;

/// <summary>What a stream has delivered so far: the token that continues after the last batch
/// written, reported in trailers when the stream fails.</summary>
internal sealed class RowStreamProgress
{
    public string? LastResumeToken { get; set; }

    public long RowsWritten { get; set; }
}
