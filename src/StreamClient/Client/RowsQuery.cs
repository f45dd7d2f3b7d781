using StreamGrpc.V1;

namespace StreamClient;

/// <summary>What rows to stream: a configured dataset, optional columns, filters, limit, batch size.</summary>
public sealed record RowsQuery(string Dataset)
{
    /// <summary>Columns to return; empty for all.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Filters, combined with AND.</summary>
    public IReadOnlyList<Filter> Filters { get; init; } = [];

    /// <summary>Maximum rows; 0 for no limit.</summary>
    public long Limit { get; init; }

    /// <summary>Rows per message; 0 for the service default.</summary>
    public int BatchSize { get; init; }

    /// <summary>Continue after the row a previous stream's batch ended with.</summary>
    public string? ResumeToken { get; init; }
}
