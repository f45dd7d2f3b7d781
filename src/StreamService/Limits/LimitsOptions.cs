namespace StreamService.Limits;

/// <summary>Configuration section <c>StreamGrpc:Limits</c>: how much one caller and the whole
/// server may hold, and the HTTP/2 settings for many long-lived streams.</summary>
internal sealed class LimitsOptions
{
    public const string SectionName = "StreamGrpc:Limits";

    /// <summary>Calls in progress on this instance; beyond it RESOURCE_EXHAUSTED. 0 = no limit.</summary>
    public int MaxConcurrentStreams { get; set; } = 10_000;

    /// <summary>Calls in progress per caller (API key name, JWT subject, or anonymous@IP); 0 = no limit.</summary>
    public int MaxConcurrentStreamsPerCaller { get; set; } = 1_000;

    /// <summary>Sustained new calls per second per caller (token bucket); 0 = no limit.</summary>
    public double CallsPerSecondPerCaller { get; set; } = 50;

    /// <summary>Bucket size: calls a caller may start at once after being idle.</summary>
    public int CallBurstPerCaller { get; set; } = 100;

    /// <summary>Kestrel: concurrent HTTP/2 streams per connection (Kestrel's default is 100).</summary>
    public int Http2MaxStreamsPerConnection { get; set; } = 1_000;

    /// <summary>Kestrel: HTTP/2 connection receive window in bytes (request data; small for server streaming).</summary>
    public int Http2InitialConnectionWindowSize { get; set; } = 1024 * 1024;

    /// <summary>Kestrel: HTTP/2 stream receive window in bytes.</summary>
    public int Http2InitialStreamWindowSize { get; set; } = 768 * 1024;

    /// <summary>Kestrel: send a PING after this long without frames, so idle follow/watch streams stay
    /// alive through proxies and dead peers are found. Null disables.</summary>
    public TimeSpan? KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Kestrel: close the connection when a PING is not answered within this time.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Kestrel: open connections; null = no limit.</summary>
    public long? MaxConcurrentConnections { get; set; }
}
