namespace StreamService.Security;

/// <summary>How callers are authenticated (<c>StreamGrpc:Auth:Mode</c>).</summary>
internal enum AuthMode
{
    /// <summary>Every call must carry <c>authorization: Bearer &lt;API key or JWT&gt;</c>.</summary>
    Bearer,

    /// <summary>Local development only: no credentials, every caller may stream everything. Logged
    /// as a warning at start-up.</summary>
    None,
}
