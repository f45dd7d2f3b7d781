using System.Diagnostics;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Client;

/// <summary>The README's one install command, <c>scripts/install-cli.sh</c>, in a fresh home
/// folder: it packs the CLI as a .NET tool, installs it globally there, and a new login shell then
/// finds <c>streamgrpc</c> on PATH. The machine's NuGet package cache is reused, so nothing but the
/// tool's own package is new.</summary>
public sealed class CliToolInstallTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);
    private readonly string _home = Directory.CreateTempSubdirectory("streamgrpc-tool-home-").FullName;

    [Fact]
    public async Task InstallScript_FreshHome_PutsStreamgrpcOnPathForNewShells()
    {
        var install = await RunAsync(Path.Combine(PostgresFixture.FindRepositoryRoot(), "scripts", "install-cli.sh"));
        Assert.True(install.ExitCode == 0, install.Output);

        var shell = await RunAsync("-lc", "command -v streamgrpc && streamgrpc --help");

        Assert.True(shell.ExitCode == 0, shell.Output);
        Assert.StartsWith(Path.Combine(_home, ".dotnet", "tools", "streamgrpc"), shell.Output);
        Assert.Contains("rows", shell.Output);
        Assert.Contains("--address", shell.Output);
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var startInfo = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        var realHome = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        startInfo.Environment["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages ? packages : Path.Combine(realHome, ".nuget", "packages");
        startInfo.Environment["HOME"] = _home;
        startInfo.Environment["DOTNET_CLI_HOME"] = _home;
        startInfo.Environment["PATH"] = string.Join(':', (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(p => !p.Contains(".dotnet/tools", StringComparison.Ordinal)));
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bash {string.Join(' ', args)} did not finish within {s_timeout}");
        }

        return (process.ExitCode, await output + await errors);
    }
}
