using System.Diagnostics;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Deployment;

/// <summary>docker-compose.yml validated by compose itself (scripts/check-compose.sh; no Docker
/// engine needed) and checked for the scale-out shape the deployment docs promise.</summary>
public sealed class ComposeFileTests
{
    private static readonly string RepositoryRoot = new PostgresFixture().RepositoryRoot;

    [Fact]
    public async Task ComposeConfig_RepositoryFile_IsValidWithTwoReplicasBehindNginx()
    {
        var (exitCode, output, errors) = await RunAsync("--require");

        Assert.True(exitCode == 0, $"compose config failed ({exitCode}):\n{errors}\n{output}");
        Assert.Contains("StreamGrpc__Jobs__InstanceId: streamservice-a", output);
        Assert.Contains("StreamGrpc__Jobs__InstanceId: streamservice-b", output);
        Assert.Contains("--health-probe", output);
        Assert.Contains("nginx:", output);
        var nginx = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, "deploy", "nginx", "nginx.conf")).Bounded();
        Assert.Contains("grpc_pass grpc://streamgrpc;", nginx);
        Assert.Contains("server streamservice-a:8080", nginx);
        Assert.Contains("server streamservice-b:8080", nginx);
        Assert.Contains("server streamservice-a:8081", nginx);
        Assert.Contains("proxy_buffering off;", nginx);
        Assert.Contains("127.0.0.1:8081:8081", output);
    }

    [Fact]
    public async Task ComposeConfig_InvalidFile_Fails()
    {
        var path = Path.Combine(Path.GetTempPath(), "streamgrpc-bad-compose-" + Guid.NewGuid().ToString("N")[..8] + ".yml");
        await File.WriteAllTextAsync(path, "services:\n  svc:\n    image: 1\n    depends_on: [missing]\n").Bounded();
        try
        {
            var (exitCode, _, _) = await RunAsync("--require", path);
            Assert.NotEqual(0, exitCode);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] args)
    {
        var startInfo = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot };
        startInfo.ArgumentList.Add(Path.Combine(RepositoryRoot, "scripts", "check-compose.sh"));
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await output.Bounded(), await errors.Bounded());
    }
}
