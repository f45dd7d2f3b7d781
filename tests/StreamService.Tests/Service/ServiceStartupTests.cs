using Grpc.Health.V1;
using StreamService.Tests.Infrastructure;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace StreamService.Tests.Service;

public sealed class ServiceStartupTests
{
    [Fact]
    public async Task Start_DefaultWiring_HealthServing()
    {
        await using var host = await StreamServiceHost.StartAsync();
        using var channel = host.CreateChannel();

        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.Bounded();

        Assert.Equal(ServingStatus.Serving, reply.Status);
    }
}
