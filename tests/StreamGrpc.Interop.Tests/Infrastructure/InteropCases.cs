namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>The cases every peer client runs (tests/Interop/python/interop_client.py and
/// tests/Interop/node/interop_client.js print one result per name), as theory data.</summary>
public static class InteropCases
{
    public const string RowsCancel = "rows_cancel";

    /// <summary>The sync points of rows_cancel: the stream is open and paused, then cancelled.</summary>
    public const string RowsStreamOpen = "rows_stream_open";

    public const string RowsStreamCancelled = "rows_stream_cancelled";

    private static readonly string[] Names =
    [
        "reflection_v1_list",
        "reflection_v1_describe",
        "reflection_v1alpha_list",
        "reflection_v1alpha_describe",
        "health_check_server",
        "health_check_services",
        "health_watch",
        "rows_resume",
        "lines_filter",
        "jobs_import_watch",
        "llm_builtin_tokens",
        RowsCancel,
        "deadline_exceeded",
    ];

    public static TheoryData<string> All => new(Names);

    /// <summary>Upper bound of one peer run over every case (about 5 s when all is well).</summary>
    public static readonly TimeSpan PeerRunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The points at which a case stops for the harness to check the database, in order.</summary>
    internal static IReadOnlyList<string> SyncPoints(string testCase) =>
        testCase == RowsCancel ? [RowsStreamOpen, RowsStreamCancelled] : [];
}
