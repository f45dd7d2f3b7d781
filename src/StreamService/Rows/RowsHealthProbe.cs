using Microsoft.Extensions.Options;
using Npgsql;
using StreamGrpc.Rpc.AspNetCore.Health;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace StreamService.Rows;

/// <summary>Reports the row service's health (<c>streamgrpc.v1.RowsService</c> in the gRPC health
/// service) from a periodic <c>SELECT 1</c>: NOT_SERVING while PostgreSQL is unreachable. Runs in
/// the background, so the service starts, and its other features serve, while the database is down.</summary>
internal sealed partial class RowsHealthProbe : BackgroundService
{
    public const string ServiceName = "streamgrpc.v1.RowsService";

    private readonly NpgsqlDataSource _dataSource;
    private readonly HealthStatusRegistry _health;
    private readonly IOptions<RowsOptions> _options;
    private readonly ILogger<RowsHealthProbe> _logger;

    public RowsHealthProbe(NpgsqlDataSource dataSource, HealthStatusRegistry health, IOptions<RowsOptions> options, ILogger<RowsHealthProbe> logger)
    {
        _dataSource = dataSource;
        _health = health;
        _options = options;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _health.SetStatus(ServiceName, ServingStatus.Unknown);
        var interval = _options.Value.HealthProbeInterval;
        using var timer = new PeriodicTimer(interval);
        var last = ServingStatus.Unknown;
        try
        {
            do
            {
                var status = await ProbeAsync(interval, stoppingToken);
                if (status != last)
                {
                    LogHealthChanged(status);
                    last = status;
                }

                _health.SetStatus(ServiceName, status);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping (or the host disposed without a stop): not a failure of the probe.
        }
    }

    private async Task<ServingStatus> ProbeAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        probeTimeout.CancelAfter(timeout);
        try
        {
            await using var command = _dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(probeTimeout.Token).ConfigureAwait(false);
            return ServingStatus.Serving;
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException && !stoppingToken.IsCancellationRequested)
        {
            return ServingStatus.NotServing;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Row streams: database health is now {Status}")]
    private partial void LogHealthChanged(ServingStatus status);
}
