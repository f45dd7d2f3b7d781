using Grpc.AspNetCore.HealthChecks;
using Grpc.HealthCheck;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace StreamService.Drain;

/// <summary>
/// Runs after grpc-dotnet's health publisher in every publish cycle: while the instance drains, it
/// sets every service NOT_SERVING again. A cycle whose checks ran before the drain began would
/// otherwise publish their SERVING after <see cref="DrainCoordinator.BeginDrain"/> had set
/// NOT_SERVING, until the next cycle.
/// </summary>
internal sealed class DrainHealthPublisher(DrainCoordinator drain, HealthServiceImpl health, IOptions<GrpcHealthChecksOptions> options) : IHealthCheckPublisher
{
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        if (drain.IsDraining)
        {
            foreach (var service in options.Value.Services)
            {
                health.SetStatus(service.Name, ServingStatus.NotServing);
            }
        }

        return Task.CompletedTask;
    }
}
