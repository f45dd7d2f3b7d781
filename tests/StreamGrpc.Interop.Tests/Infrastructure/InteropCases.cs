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

    /// <summary>The cases of the gRPC-Web peer (tests/Interop/web/grpc_web_client.mjs).</summary>
    public static TheoryData<string> GrpcWeb => new([
        "web_rows_stream", "web_llm_tokens", "web_not_found", WebRowsCancel,
        "web_text_rows_stream", "web_text_llm_tokens", "web_text_not_found",
    ]);

    /// <summary>The cases of the browser peer (tests/Interop/web/status_page_check.mjs).</summary>
    public static TheoryData<string> StatusPage => new([
        "page_lists_info", PageImportProgress, "page_reload_reattaches", "page_tokens", "page_screenshot",
    ]);

    public const string WebRowsCancel = "web_rows_cancel";

    public const string PageImportProgress = "page_import_progress";

    /// <summary>The sync points of page_import_progress: the import's target is locked before the
    /// job starts (so the job waits mid-way while the page reloads), then released.</summary>
    public const string ImportTableLocked = "import_table_locked";

    public const string ImportTableReleased = "import_table_released";

    /// <summary>Upper bound of one peer run over every case (about 5 s when all is well).</summary>
    public static readonly TimeSpan PeerRunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The points at which a case stops for the harness to check the database, in order.</summary>
    internal static IReadOnlyList<string> SyncPoints(string testCase) => testCase switch
    {
        RowsCancel or WebRowsCancel => [RowsStreamOpen, RowsStreamCancelled],
        PageImportProgress => [ImportTableLocked, ImportTableReleased],
        _ => [],
    };
}
