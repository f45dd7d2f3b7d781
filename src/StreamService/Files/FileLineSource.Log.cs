namespace StreamService.Files;

internal sealed partial class FileLineSource
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Followed file '{Path}' in root '{Root}' was truncated; streaming restarts at its beginning.")]
        public static partial void FileTruncated(ILogger logger, string root, string path);

        [LoggerMessage(2, LogLevel.Information, "Followed path '{Path}' in root '{Root}' now names another file; streaming continues with it.")]
        public static partial void FileReplaced(ILogger logger, string root, string path);
    }
}
