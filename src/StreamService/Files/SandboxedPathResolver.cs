namespace StreamService.Files;

/// <summary>Turns (root name, relative path) into a regular file inside that root, or refuses.
/// Refusals name only the root and the caller's relative path, never where a symlink leads.</summary>
internal sealed class SandboxedPathResolver(FileRoots roots)
{
    private const int MaxPathLength = 4096;

    public ResolvedFile Resolve(string rootName, string path)
    {
        if (!roots.TryGetRealDirectory(rootName, out var rootDirectory))
        {
            throw new FileLinesException(FileLinesError.NotFound,
                $"Unknown root '{Printable(rootName)}'. Configured roots: {string.Join(", ", roots.Names.Order(StringComparer.Ordinal))}.");
        }

        var segments = ParseRelativePath(path);
        var relative = string.Join('/', segments);
        var walk = RealPathWalker.Walk(rootDirectory, segments);

        if (!RealPathWalker.IsWithin(walk.Path, rootDirectory))
        {
            throw new FileLinesException(FileLinesError.PermissionDenied,
                $"Path '{relative}' leads outside root '{rootName}'.");
        }

        if (walk.Missing)
        {
            throw NotFound(rootName, relative);
        }

        var status = UnixFileStatus.Of(walk.Path);
        var kind = status?.Kind ?? ManagedKind(walk.Path);
        return kind switch
        {
            null => throw NotFound(rootName, relative),
            FileKind.Directory => throw new FileLinesException(FileLinesError.InvalidArgument,
                $"Path '{relative}' in root '{rootName}' is a directory, not a file."),
            FileKind.Other => throw new FileLinesException(FileLinesError.InvalidArgument,
                $"Path '{relative}' in root '{rootName}' is not a regular file."),
            _ => new ResolvedFile(rootName, relative, walk.Path, status, RealPathWalker.Walk(rootDirectory, segments[..^1]).Path),
        };
    }

    internal static FileLinesException NotFound(string rootName, string relative) =>
        new(FileLinesError.NotFound, $"File '{relative}' was not found in root '{rootName}'.");

    /// <summary>Syntax checks: a relative, '/'-separated path without '..'. Refusing '..' outright
    /// (rather than normalising it) keeps the rule simple to state and impossible to get wrong.</summary>
    private static string[] ParseRelativePath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Invalid("A path is required.");
        }

        if (path.Length > MaxPathLength)
        {
            throw Invalid($"The path is longer than {MaxPathLength} characters.");
        }

        if (path.Contains('\0'))
        {
            throw Invalid("The path contains a NUL character.");
        }

        if (path.Contains('\\'))
        {
            throw Invalid("Use '/' to separate path components.");
        }

        if (path.StartsWith('/') || Path.IsPathRooted(path) || (path.Length >= 2 && path[1] == ':'))
        {
            throw Invalid("The path must be relative to the root.");
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s != ".")
            .ToArray();

        if (segments.Contains(".."))
        {
            throw Invalid("The path must not contain '..'.");
        }

        if (segments.Length == 0)
        {
            throw Invalid("The path names the root itself, not a file.");
        }

        return segments;

        static FileLinesException Invalid(string message) => new(FileLinesError.InvalidArgument, message);
    }

    private static FileKind? ManagedKind(string realPath) =>
        Directory.Exists(realPath) ? FileKind.Directory : File.Exists(realPath) ? FileKind.Regular : null;

    private static string Printable(string value) =>
        value.Length > 64 || value.Any(char.IsControl) ? "(invalid name)" : value;
}
