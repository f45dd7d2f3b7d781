using Grpc.Core;
using Npgsql;

namespace StreamService.Rows;

/// <summary>The one place where a failed row stream becomes a gRPC status. Caller mistakes keep
/// their own message; database failures become UNAVAILABLE with the token to continue from in the
/// <see cref="ResumeTrailers.Token"/> trailer; anything else is INTERNAL. Database messages and SQL
/// only go to the log.</summary>
internal sealed partial class RowsStatusMapper
{
    private readonly ILogger<RowsStatusMapper> _logger;

    public RowsStatusMapper(ILogger<RowsStatusMapper> logger)
    {
        _logger = logger;
    }

    /// <summary>The exception to end the call with, or null when the call was cancelled by the
    /// caller (the runtime reports CANCELLED or DEADLINE_EXCEEDED itself).</summary>
    public RpcException? ToRpcException(Exception exception, string dataset, RowStreamProgress progress, CancellationToken callCancelled)
    {
        switch (exception)
        {
            case RpcException rpc:
                return rpc;

            case RowsException rows when rows.Code == StatusCode.Unavailable:
                return Unavailable(rows.Message, progress);

            case RowsException rows:
                LogRejected(dataset, rows.Code, rows.Message);
                return new RpcException(new Status(rows.Code, rows.Message));

            case OperationCanceledException or NpgsqlException when callCancelled.IsCancellationRequested:
                LogCancelled(dataset, progress.RowsWritten);
                return null;

            case NpgsqlException npgsql when IsUnavailable(npgsql):
                LogDatabaseUnavailable(exception, dataset, progress.RowsWritten);
                return Unavailable($"the database is unavailable; retry with the resume token in the '{ResumeTrailers.Token}' trailer", progress);

            default:
                LogFailed(exception, dataset, progress.RowsWritten);
                return new RpcException(new Status(StatusCode.Internal, $"streaming dataset '{dataset}' failed"));
        }
    }

    /// <summary>Failures a retry can cure: connection loss, server shutdown or restart, resource
    /// exhaustion, cancellation by someone else (SQLSTATE classes 08, 53, 57, 58; Appendix A).</summary>
    private static bool IsUnavailable(NpgsqlException exception) => exception switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal) || pg.SqlState.StartsWith("57", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("58", StringComparison.Ordinal),
        // Not a server error: the connection could not be opened, broke or timed out.
        _ => true,
    };

    private static RpcException Unavailable(string message, RowStreamProgress progress)
    {
        var trailers = new Metadata();
        ResumeTrailers.AddToken(trailers, progress.LastResumeToken);

        return new RpcException(new Status(StatusCode.Unavailable, message), trailers);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Row stream of {Dataset} rejected: {Code} {Reason}")]
    private partial void LogRejected(string dataset, StatusCode code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Row stream of {Dataset} cancelled by the caller after {Rows} rows")]
    private partial void LogCancelled(string dataset, long rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Row stream of {Dataset} failed after {Rows} rows: database unavailable")]
    private partial void LogDatabaseUnavailable(Exception exception, string dataset, long rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "Row stream of {Dataset} failed after {Rows} rows")]
    private partial void LogFailed(Exception exception, string dataset, long rows);
}
