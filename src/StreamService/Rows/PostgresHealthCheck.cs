using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace StreamService.Rows;

/// <summary>PostgreSQL reachable: a <c>SELECT 1</c> on the service's own data source, bounded by
/// <see cref="RowsOptions.HealthProbeInterval"/>. Behind the health of row streams and import jobs.
/// Hand-written rather than a health-check package: it is one command on the data source the
/// features already use (its pool, its settings), which a package would configure again.</summary>
internal sealed partial class PostgresHealthCheck(NpgsqlDataSource dataSource, IOptions<RowsOptions> options, ILogger<PostgresHealthCheck> logger) : IHealthCheck
{
    public const string Name = "postgres";

    private int _lastHealthy = -1;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.HealthProbeInterval);
        HealthCheckResult result;
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            result = HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // The description is what operators see; the database's own message stays in the log.
            result = HealthCheckResult.Unhealthy("PostgreSQL is unreachable");
        }

        var healthy = result.Status == HealthStatus.Healthy ? 1 : 0;
        if (Interlocked.Exchange(ref _lastHealthy, healthy) != healthy)
        {
            LogHealthChanged(result.Status);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database health is now {Status}")]
    private partial void LogHealthChanged(HealthStatus status);
}
