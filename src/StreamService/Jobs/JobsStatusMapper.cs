using Grpc.Core;
using Npgsql;
using StreamService.Files;

namespace StreamService.Jobs;

/// <summary>The one place where failures of the jobs feature become gRPC statuses: for calls
/// (<see cref="ToRpcException"/>) and for the <c>failed</c> event of a job (<see cref="ToFailure"/>).
/// Database messages reach the caller only for data and constraint errors, which describe the
/// caller's data (never SQL text); everything else goes to the log.</summary>
internal static class JobsStatusMapper
{
    /// <summary>The status ending a call, or null when the exception is not ours to map
    /// (an RpcException from the transport, the caller's own cancellation).</summary>
    public static RpcException? ToRpcException(Exception exception) => exception switch
    {
        RpcException => null,
        OperationCanceledException => null,
        _ => ToFailure(exception) is var (code, message) ? new RpcException(new Status(code, message)) : null,
    };

    /// <summary>Code and message for a failure; unexpected exceptions become INTERNAL with a
    /// generic message.</summary>
    public static (StatusCode Code, string Message) ToFailure(Exception exception) => exception switch
    {
        JobsException e => (e.Code, e.Message),
        FileLinesException e => (FilesStatusMapper.ToStatusCode(e.Error), e.Message),
        System.Text.RegularExpressions.RegexMatchTimeoutException => (StatusCode.InvalidArgument,
            "A regex filter took too long to match a record; use a simpler pattern."),
        InvalidDataException => (StatusCode.DataLoss, "The compressed file is corrupt."),
        UnauthorizedAccessException => (StatusCode.PermissionDenied, "The file is not readable."),
        PostgresException pg when pg.SqlState.StartsWith("23", StringComparison.Ordinal) =>
            (StatusCode.FailedPrecondition, $"The table refused the data: {pg.MessageText}."),
        PostgresException pg when pg.SqlState.StartsWith("22", StringComparison.Ordinal) =>
            (StatusCode.InvalidArgument, $"The database refused a value: {pg.MessageText}."),
        PostgresException pg when pg.SqlState == "42501" =>
            (StatusCode.PermissionDenied, "The service's database role may not write to the target table."),
        NpgsqlException npgsql when IsUnavailable(npgsql) =>
            (StatusCode.Unavailable, "The database is unavailable; try again later."),
        IOException => (StatusCode.Unavailable, "Reading the file failed."),
        _ => (StatusCode.Internal, "The request failed on the server."),
    };

    /// <summary>Failures a retry can cure: connection loss, shutdown, resource exhaustion (SQLSTATE
    /// classes 08, 53, 57, 58 of the PostgreSQL documentation, Appendix A).</summary>
    public static bool IsUnavailable(NpgsqlException exception) => exception switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal) || pg.SqlState.StartsWith("57", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("58", StringComparison.Ordinal),
        _ => true,
    };
}
