namespace StreamService.Rows;

/// <summary>Configuration of row streams (section <c>StreamGrpc:Rows</c>); validated at start-up by
/// <see cref="RowsOptionsValidator"/>.</summary>
internal sealed class RowsOptions
{
    public const string SectionName = "StreamGrpc:Rows";

    /// <summary>The development resume-token key shipped in appsettings.json. Anyone can read it, so
    /// tokens signed with it are forgeable; production sets its own key (the service warns).</summary>
    public const string DevelopmentResumeTokenKey = "ZGV2LW9ubHktc3RyZWFtZ3JwYy1yZXN1bWUtdG9rZW4ta2V5LWNoYW5nZS1tZQ==";

    /// <summary>Exposed datasets by public name. Only these tables/views can be streamed.</summary>
    public Dictionary<string, RowsDatasetOptions> Datasets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Rows per message when the request does not say.</summary>
    public int DefaultBatchSize { get; set; } = 500;

    /// <summary>Largest batch size a request may ask for.</summary>
    public int MaxBatchSize { get; set; } = 10_000;

    /// <summary>A batch is sent early once its rows reach this many bytes, keeping every message
    /// well under the clients' receive limit (4 MiB by default) even for wide rows.</summary>
    public int MaxBatchBytes { get; set; } = 1024 * 1024;

    /// <summary>Most filters one request may carry.</summary>
    public int MaxFilters { get; set; } = 32;

    /// <summary>Most values one IN filter may carry.</summary>
    public int MaxInValues { get; set; } = 1000;

    /// <summary>Longest text or bytes filter operand, in characters or bytes.</summary>
    public int MaxFilterValueLength { get; set; } = 4096;

    /// <summary>Key for the HMAC-SHA256 that makes resume tokens tamper-evident: base64, at least 32
    /// bytes. Every replica must share it, and keep it across restarts, for tokens to stay valid.</summary>
    public string ResumeTokenKey { get; set; } = "";

    /// <summary>How long a dataset's column list read from the catalogue is reused.</summary>
    public TimeSpan CatalogCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Seconds a query may wait for the database before failing; 0 for no limit (a stream
    /// is then bounded by the caller's deadline only).</summary>
    public int CommandTimeoutSeconds { get; set; }

    /// <summary>How often the health of the database is probed for the gRPC health service.</summary>
    public TimeSpan HealthProbeInterval { get; set; } = TimeSpan.FromSeconds(10);
}
