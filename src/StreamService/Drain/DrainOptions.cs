namespace StreamService.Drain;

/// <summary>Configuration section <c>StreamGrpc:Drain</c>: what happens to running streams on SIGTERM.</summary>
internal sealed class DrainOptions
{
    public const string SectionName = "StreamGrpc:Drain";

    /// <summary>How long running streams may go on after shutdown starts before they are ended
    /// with UNAVAILABLE and their resume point. 0 ends them at once.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Time after <see cref="Timeout"/> for ended calls to write their trailers before the
    /// host aborts what is left (the host's shutdown timeout is at least Timeout + this).</summary>
    public TimeSpan CompletionGrace { get; set; } = TimeSpan.FromSeconds(5);
}
