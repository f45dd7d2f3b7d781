using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StreamService.Files;

/// <summary>Every configured file root is still a readable directory (a volume can be unmounted
/// under a running service). Behind the health of line streams and import jobs. Root names, not
/// paths, go into the description: paths outside the served roots are never shown to callers.</summary>
internal sealed class FileRootsHealthCheck(FileRoots roots) : IHealthCheck
{
    public const string Name = "file-roots";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unreadable = new List<string>();
        foreach (var name in roots.Names)
        {
            if (!roots.TryGetRealDirectory(name, out var directory) || !IsReadable(directory))
            {
                unreadable.Add(name);
            }
        }

        return Task.FromResult(unreadable.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"file roots not readable: {string.Join(", ", unreadable)}"));
    }

    private static bool IsReadable(string directory)
    {
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(directory).GetEnumerator();
            entries.MoveNext();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
