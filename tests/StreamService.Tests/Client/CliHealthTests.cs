using StreamService.Tests.Infrastructure;
using StreamService.Tests.Rows;

namespace StreamService.Tests.Client;

/// <summary><c>streamgrpc health</c> against a service whose database is down: the row service
/// answers NOT_SERVING and the command exits 1, while the server as a whole is SERVING.</summary>
public sealed class CliHealthTests
{
    [Fact]
    public async Task Health_ServiceNotServing_ExitsOneWithTheStatus()
    {
        // Port 1 on loopback: nothing listens, so PostgreSQL is unreachable.
        await using var host = await StreamServiceHost.StartAsync(RowsHarness.Configuration("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2"));

        var rows = await CliProcess.RunAsync("health", "streamgrpc.v1.RowsService", "--address", host.Address.ToString());
        var server = await CliProcess.RunAsync("health", "--json", "--address", host.Address.ToString());

        Assert.True(rows.ExitCode == 1, rows.ToString());
        Assert.Equal(["streamgrpc.v1.RowsService\tNOT_SERVING"], rows.Stdout);
        Assert.True(server.ExitCode == 0, server.ToString());
        Assert.Equal(["{\"service\":\"\",\"status\":\"SERVING\"}"], server.Stdout);
    }
}
