namespace StreamService.Files;

/// <summary>A refusal or failure of a file line stream. The message goes to the caller as is, so it
/// names only what the caller sent (root name, relative path) and never a server path.</summary>
internal sealed class FileLinesException(FileLinesError error, string message) : Exception(message)
{
    public FileLinesError Error { get; } = error;
}
