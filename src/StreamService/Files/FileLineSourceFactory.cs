using Microsoft.Extensions.Options;

namespace StreamService.Files;

/// <summary>Resolves, opens and positions files for streaming, and reopens them when a followed path
/// is replaced. The open is checked against the sandbox decision: the handle must be the very file
/// the resolver approved, so a symlink swapped in between cannot redirect it.</summary>
internal sealed class FileLineSourceFactory(
    SandboxedPathResolver resolver,
    FileChangeNotifier notifier,
    IOptions<FilesOptions> options,
    ILogger<FileLineSource> logger)
{
    public FilesOptions Options => options.Value;

    internal ILogger<FileLineSource> Logger => logger;

    public async Task<FileLineSource> OpenAsync(string root, string path, FileStart start, bool follow, CancellationToken cancellationToken)
    {
        var file = resolver.Resolve(root, path);
        if (follow && file.IsGzip)
        {
            throw new FileLinesException(FileLinesError.InvalidArgument, "Follow mode is not supported for compressed (.gz) files.");
        }

        var (stream, status) = Open(file);
        var source = new FileLineSource(this, file, stream, status, follow);
        try
        {
            await source.PositionAsync(start, cancellationToken);
            return source;
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }
    }

    internal ResolvedFile Resolve(ResolvedFile file) => resolver.Resolve(file.RootName, file.RelativePath);

    internal FileChangeSubscription Subscribe(ResolvedFile file) => notifier.Subscribe(file.WatchTargets);

    internal static (FileStream Stream, UnixFileStatus? Status) Open(ResolvedFile file)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(file.RealPath, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                // Writers keep writing, rotators keep renaming and deleting, while we read.
                Share = FileShare.ReadWrite | FileShare.Delete,
                // The line reader has its own buffer; a second one would only copy.
                BufferSize = 0,
                Options = FileOptions.SequentialScan,
            });
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw SandboxedPathResolver.NotFound(file.RootName, file.RelativePath);
        }
        catch (UnauthorizedAccessException)
        {
            throw new FileLinesException(FileLinesError.PermissionDenied,
                $"File '{file.RelativePath}' in root '{file.RootName}' is not readable.");
        }

        var opened = UnixFileStatus.Of(stream.SafeFileHandle);
        if (file.Status is { } approved && (opened is not { Kind: FileKind.Regular } || !opened.Value.IsSameFile(approved)))
        {
            stream.Dispose();
            throw new FileLinesException(FileLinesError.PermissionDenied,
                $"File '{file.RelativePath}' in root '{file.RootName}' changed while it was being opened.");
        }

        return (stream, opened);
    }
}
