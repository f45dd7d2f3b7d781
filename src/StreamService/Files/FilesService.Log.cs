using Grpc.Core;

namespace StreamService.Files;

internal sealed partial class FilesService
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Streaming lines of '{Path}' in root '{Root}' (follow: {Follow}).")]
        public static partial void StreamStarted(ILogger logger, string root, string path, bool follow);

        [LoggerMessage(2, LogLevel.Information, "Line stream of '{Path}' in root '{Root}' was cancelled by the client or its deadline.")]
        public static partial void StreamCancelled(ILogger logger, string root, string path);

        [LoggerMessage(3, LogLevel.Warning, "Line stream of '{Path}' in root '{Root}' failed with {StatusCode}.")]
        public static partial void StreamFailed(ILogger logger, string root, string path, StatusCode statusCode, Exception exception);

        [LoggerMessage(4, LogLevel.Debug, "Line stream of '{Path}' in root '{Root}' refused with {StatusCode}: {Reason}")]
        public static partial void StreamRefused(ILogger logger, string root, string path, StatusCode statusCode, string reason);
    }
}
