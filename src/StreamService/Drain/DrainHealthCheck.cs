using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StreamService.Drain;

/// <summary>Unhealthy once the instance drains: behind every service's health, so balancers stop
/// routing here while running streams finish.</summary>
internal sealed class DrainHealthCheck(DrainCoordinator drain) : IHealthCheck
{
    public const string Name = "drain";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(drain.IsDraining ? HealthCheckResult.Unhealthy("the instance is shutting down") : HealthCheckResult.Healthy());
}
