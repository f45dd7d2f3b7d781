using System.Diagnostics;

namespace StreamService.Tests.ScaleOut;

/// <summary>How to run the built service binary (<c>src/StreamService/bin/CONFIG/TFM/StreamService.dll</c>,
/// built with the tests since they reference it) as a separate process.</summary>
internal static class ServiceProcess
{
    public static ProcessStartInfo StartInfo(string repositoryRoot, IEnumerable<string> args)
    {
        // The tests run from tests/StreamService.Tests/bin/CONFIG/TFM/: the service was built with the same CONFIG and TFM.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var contentRoot = Path.Combine(repositoryRoot, "src", "StreamService");
        var dll = Path.Combine(contentRoot, "bin", configuration, framework, "StreamService.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("the service binary is not built", dll);
        }

        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        if (!args.Any())
        {
            startInfo.ArgumentList.Add("--contentRoot");
            startInfo.ArgumentList.Add(contentRoot);
        }

        // Never let the parent's test settings leak into the replica.
        startInfo.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        startInfo.Environment.Remove("DOTNET_ENVIRONMENT");
        return startInfo;
    }
}
