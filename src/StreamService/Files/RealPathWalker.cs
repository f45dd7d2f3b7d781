namespace StreamService.Files;

/// <summary>Resolves a path component by component like realpath(3), following every symlink
/// (relative and absolute, in any position) and applying '..' to the real directory reached so far.
/// Doing it by hand rather than letting open(2) follow links is what lets the sandbox see where a
/// path really leads before anything is opened.</summary>
internal static class RealPathWalker
{
    /// <summary>Same limit as Linux's MAXSYMLINKS.</summary>
    private const int MaxLinks = 40;

    /// <summary>Walks <paramref name="segments"/> starting at the real directory <paramref name="start"/>.</summary>
    /// <returns>The real path; when a component does not exist, <see cref="RealPathWalk.Missing"/> is set
    /// and the path is the real prefix up to and including the missing component.</returns>
    public static RealPathWalk Walk(string start, IEnumerable<string> segments)
    {
        var pending = new Stack<string>(segments.Reverse());
        var current = start;
        var links = 0;

        while (pending.TryPop(out var segment))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var next = Path.Join(current, segment);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                target = null;
            }
            catch (UnauthorizedAccessException)
            {
                target = null;
            }

            if (target is not null)
            {
                if (++links > MaxLinks)
                {
                    throw new FileLinesException(FileLinesError.InvalidArgument, "The path has too many levels of symbolic links.");
                }

                if (Path.IsPathRooted(target))
                {
                    current = "/";
                }

                foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.Push(part);
                }

                continue;
            }

            if (!Path.Exists(next))
            {
                return new RealPathWalk(next, Missing: true);
            }

            current = next;
        }

        return new RealPathWalk(current, Missing: false);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="directory"/> or lies below it.</summary>
    public static bool IsWithin(string path, string directory)
    {
        if (directory == "/")
        {
            return path.StartsWith('/');
        }

        return path.Length == directory.Length
            ? string.Equals(path, directory, StringComparison.Ordinal)
            : path.StartsWith(directory, StringComparison.Ordinal) && path[directory.Length] == '/';
    }
}

/// <summary>Result of <see cref="RealPathWalker.Walk"/>.</summary>
internal readonly record struct RealPathWalk(string Path, bool Missing);
