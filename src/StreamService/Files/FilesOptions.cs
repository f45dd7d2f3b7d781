namespace StreamService.Files;

/// <summary>Configuration of the file line streams, section <c>StreamGrpc:Files</c>.</summary>
internal sealed class FilesOptions
{
    public const string SectionName = "StreamGrpc:Files";

    /// <summary>Served roots: name -> directory. Relative directories are taken relative to the
    /// application's base directory (where StreamService.dll lives).</summary>
    public Dictionary<string, string> Roots { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Longest line kept, in bytes of the file; longer lines are cut and flagged.</summary>
    public int MaxLineBytes { get; set; } = 64 * 1024;

    /// <summary>Most lines in one response message.</summary>
    public int MaxBatchLines { get; set; } = 4000;

    /// <summary>A batch is sent once its text reaches this many UTF-8 bytes.</summary>
    public int MaxBatchBytes { get; set; } = 1024 * 1024;

    /// <summary>Bytes read from the file per read call.</summary>
    public int ReadBufferBytes { get; set; } = 128 * 1024;

    /// <summary>Upper bound of one regular expression match against one line.</summary>
    public TimeSpan RegexMatchTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest accepted regular expression pattern or substring, in characters.</summary>
    public int MaxPatternLength { get; set; } = 1024;

    /// <summary>Most filter stages in one request.</summary>
    public int MaxFilterStages { get; set; } = 32;

    /// <summary>In follow mode, how often a file is checked when no change notification arrived
    /// (notifications can be lost, e.g. on network file systems).</summary>
    public TimeSpan FollowPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
