using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using StreamService.Drain;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;
using StreamService.Tests.Rows;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace StreamService.Tests.Service;

/// <summary>grpc.health.v1 on Grpc.AspNetCore.HealthChecks: Check and Watch for "" and every
/// service name, each service following the checks it depends on, all NOT_SERVING while draining.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HealthTests(PostgresFixture postgres)
{
    private static readonly string[] Services = ["", "streamgrpc.v1.RowsService", "streamgrpc.v1.FileLines", "streamgrpc.v1.JobsService", "streamgrpc.v1.LlmService"];

    [Fact]
    public async Task CheckAndWatch_EveryServiceWithItsDependenciesUp_Serving()
    {
        await using var host = await StreamServiceHost.StartAsync(RowsHarness.Configuration(postgres.ConnectionString));
        using var channel = host.CreateChannel();
        var health = new Health.HealthClient(channel);

        foreach (var service in Services)
        {
            var check = await health.CheckAsync(new HealthCheckRequest { Service = service }).ResponseAsync.Bounded();
            Assert.True(check.Status == ServingStatus.Serving, $"Check '{service}': {check.Status}");
            Assert.Equal(ServingStatus.Serving, await FirstWatchedAsync(health, service));
        }
    }

    [Fact]
    public async Task Check_DatabaseUnreachable_OnlyItsServicesNotServing()
    {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        await using var host = await StreamServiceHost.StartAsync(RowsHarness.Configuration("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2"));
        using var channel = host.CreateChannel();
        var health = new Health.HealthClient(channel);

        var statuses = new Dictionary<string, ServingStatus>();
        foreach (var service in Services)
        {
            statuses[service] = (await health.CheckAsync(new HealthCheckRequest { Service = service }).ResponseAsync.Bounded()).Status;
        }

        Assert.Equal(ServingStatus.Serving, statuses[""]);
        Assert.Equal(ServingStatus.NotServing, statuses["streamgrpc.v1.RowsService"]);
        Assert.Equal(ServingStatus.NotServing, statuses["streamgrpc.v1.JobsService"]);
        Assert.Equal(ServingStatus.Serving, statuses["streamgrpc.v1.FileLines"]);
        Assert.Equal(ServingStatus.Serving, statuses["streamgrpc.v1.LlmService"]);
    }

    [Fact]
    public async Task Check_UnknownService_NotFound()
    {
        await using var host = await StreamServiceHost.StartAsync(RowsHarness.Configuration(postgres.ConnectionString));
        using var channel = host.CreateChannel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync.Bounded());

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Drain_EveryServiceNotServingAndWatchersHearIt()
    {
        await using var host = await StreamServiceHost.StartAsync(RowsHarness.Configuration(postgres.ConnectionString));
        using var channel = host.CreateChannel();
        var health = new Health.HealthClient(channel);
        using var watch = health.Watch(new HealthCheckRequest { Service = "streamgrpc.v1.FileLines" }, cancellationToken: TestTimeout.Token());
        Assert.True(await watch.ResponseStream.MoveNext(TestTimeout.Token()).Bounded());
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);

        host.Services.GetRequiredService<DrainCoordinator>().BeginDrain();

        // A publish cycle that ran its checks before the drain may still report SERVING once
        // (at start-up the first cycle runs at once); NOT_SERVING must follow it.
        var heard = new List<ServingStatus>();
        while (heard.Count < 3 && await watch.ResponseStream.MoveNext(TestTimeout.Token()).Bounded())
        {
            heard.Add(watch.ResponseStream.Current.Status);
            if (heard[^1] == ServingStatus.NotServing)
            {
                break;
            }
        }

        Assert.Equal(ServingStatus.NotServing, heard.LastOrDefault());
        foreach (var service in Services)
        {
            var check = await health.CheckAsync(new HealthCheckRequest { Service = service }).ResponseAsync.Bounded();
            Assert.True(check.Status == ServingStatus.NotServing, $"Check '{service}' while draining: {check.Status}");
        }
    }

    private static async Task<ServingStatus> FirstWatchedAsync(Health.HealthClient health, string service)
    {
        using var watch = health.Watch(new HealthCheckRequest { Service = service }, cancellationToken: TestTimeout.Token());
        Assert.True(await watch.ResponseStream.MoveNext(TestTimeout.Token()).Bounded(), $"Watch '{service}' ended without a status");
        return watch.ResponseStream.Current.Status;
    }
}
