using System.Diagnostics;

namespace RowsBench;

/// <summary>The repository around the benchmark and its PostgreSQL script.</summary>
internal static class Repository
{
    public static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("StreamGrpc.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs scripts/pg.sh; returns its standard output.</summary>
    public static async Task<string> RunScriptAsync(string root, params string[] args)
    {
        var startInfo = new ProcessStartInfo("bash") { RedirectStandardOutput = true, WorkingDirectory = root };
        startInfo.ArgumentList.Add(Path.Combine(root, "scripts", "pg.sh"));
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/pg.sh {args[0]} failed ({process.ExitCode})");
        }

        return output;
    }
}
