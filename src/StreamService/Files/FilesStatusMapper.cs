using System.Text.RegularExpressions;
using Grpc.Core;

namespace StreamService.Files;

/// <summary>The one place where failures of the files feature become gRPC statuses. Messages of
/// unexpected exceptions are never forwarded: they may contain server paths.</summary>
internal static class FilesStatusMapper
{
    public static StatusCode ToStatusCode(FileLinesError error) => error switch
    {
        FileLinesError.InvalidArgument => StatusCode.InvalidArgument,
        FileLinesError.PermissionDenied => StatusCode.PermissionDenied,
        FileLinesError.NotFound => StatusCode.NotFound,
        FileLinesError.OutOfRange => StatusCode.OutOfRange,
        _ => StatusCode.Internal,
    };

    /// <summary>Maps a failure of the stream to the status the caller sees; null when the exception
    /// is not the feature's to map (cancellation, an RpcException from the transport).</summary>
    public static RpcException? ToRpcException(Exception exception) => exception switch
    {
        FileLinesException e => new RpcException(new Status(ToStatusCode(e.Error), e.Message)),
        RegexMatchTimeoutException => new RpcException(new Status(StatusCode.InvalidArgument,
            "A regex filter took too long to match a line; use a simpler pattern.")),
        InvalidDataException => new RpcException(new Status(StatusCode.DataLoss,
            "The compressed file is corrupt.")),
        UnauthorizedAccessException => new RpcException(new Status(StatusCode.PermissionDenied,
            "The file is not readable.")),
        IOException => new RpcException(new Status(StatusCode.Unavailable,
            "Reading the file failed; retry from the last position received.")),
        _ => null,
    };
}
