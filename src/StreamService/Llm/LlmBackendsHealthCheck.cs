using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StreamService.Llm;

/// <summary>At least one model is routed to a backend. Its configuration was validated at start-up
/// and upstream trouble is per call (a failing upstream falls back or fails that call), so this is
/// not a probe of the upstreams.</summary>
internal sealed class LlmBackendsHealthCheck(LlmModelRouter router) : IHealthCheck
{
    public const string Name = "llm-backends";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(router.Models.Any() ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("no LLM models are configured"));
}
