using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace StreamService.Limits;

/// <summary>New calls per second per caller: a token bucket per caller (System.Threading.RateLimiting),
/// no queueing — a call over the rate is refused at once.</summary>
internal sealed class CallerRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public CallerRateLimiter(IOptions<LimitsOptions> options)
    {
        var perSecond = options.Value.CallsPerSecondPerCaller;
        if (perSecond <= 0)
        {
            return;
        }

        // Whole tokens per period: for rates below 1/s the period stretches instead.
        var period = perSecond >= 1 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1 / perSecond);
        var tokensPerPeriod = Math.Max(1, (int)Math.Round(perSecond >= 1 ? perSecond : 1));
        var burst = options.Value.CallBurstPerCaller;
        _limiter = PartitionedRateLimiter.Create<string, string>(caller => RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }), StringComparer.Ordinal);
    }

    /// <summary>Takes a token for the caller, or returns why not (a message for the caller).</summary>
    public string? TryAcquire(string caller)
    {
        if (_limiter is null)
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire(caller);
        if (lease.IsAcquired)
        {
            return null;
        }

        var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
            ? $"; retry in {after.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s"
            : "";
        return $"caller '{caller}' is over its rate of new calls{retry}";
    }

    public void Dispose() => _limiter?.Dispose();
}
