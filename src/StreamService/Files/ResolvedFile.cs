namespace StreamService.Files;

/// <summary>A file inside a root, checked by <see cref="SandboxedPathResolver"/>.</summary>
/// <param name="RootName">The root as the caller named it.</param>
/// <param name="RelativePath">The caller's path, normalised ('/'-separated, no '.' or empty parts);
/// the only form of the path that appears in messages.</param>
/// <param name="RealPath">The real path on disk: no symlinks, inside the root.</param>
/// <param name="Status">Type and identity at check time; null where statx is unavailable.</param>
/// <param name="NameDirectory">Real path of the directory holding the requested name (differs from
/// the real file's directory when the name is a symlink); follow mode watches both.</param>
internal sealed record ResolvedFile(string RootName, string RelativePath, string RealPath, UnixFileStatus? Status, string NameDirectory)
{
    /// <summary>(directory, file name) pairs whose changes concern a follower of this file.</summary>
    public IReadOnlyCollection<(string Directory, string Name)> WatchTargets =>
        new HashSet<(string, string)>
        {
            (Path.GetDirectoryName(RealPath) ?? "/", Path.GetFileName(RealPath)),
            (NameDirectory, RelativePath[(RelativePath.LastIndexOf('/') + 1)..]),
        };

    /// <summary>gzip-compressed files are decompressed on the fly.</summary>
    public bool IsGzip => RealPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
}
