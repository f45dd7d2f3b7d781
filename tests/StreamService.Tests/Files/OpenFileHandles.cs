namespace StreamService.Tests.Files;

/// <summary>Whether this process holds a file open, from /proc/self/fd (Linux).</summary>
internal static class OpenFileHandles
{
    public static bool IsOpen(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed while enumerating
            }

            if (target is not null && (target == full || target == full + " (deleted)"))
            {
                return true;
            }
        }

        return false;
    }
}
