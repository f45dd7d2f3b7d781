using Grpc.AspNetCore.HealthChecks;
using Grpc.Core;
using Grpc.HealthCheck;
using Microsoft.Extensions.Options;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace StreamService.Drain;

/// <summary>
/// Graceful drain. When the host starts stopping (SIGTERM, Ctrl+C): every service's health turns
/// NOT_SERVING at once so balancers stop routing here (<see cref="DrainHealthCheck"/> keeps it so),
/// the gate refuses new calls with UNAVAILABLE (Kestrel has also stopped accepting connections and
/// sent GOAWAY), and running calls go on for <see cref="DrainOptions.Timeout"/>. Then
/// <see cref="Deadline"/> fires: the gate ends every call still running with UNAVAILABLE and its
/// resume point, so resuming clients continue on another instance.
/// </summary>
internal sealed partial class DrainCoordinator(
    IHostApplicationLifetime lifetime,
    HealthServiceImpl health,
    IOptions<GrpcHealthChecksOptions> healthOptions,
    IOptions<DrainOptions> options,
    ILogger<DrainCoordinator> logger) : IHostedService, IDisposable
{
    public const string ShuttingDownMessage = "the server is shutting down; retry on another instance";

    private readonly CancellationTokenSource _deadline = new();
    private CancellationTokenRegistration _stopping;
    private volatile bool _draining;

    public bool IsDraining => _draining;

    /// <summary>Fires when the drain time is over.</summary>
    public CancellationToken Deadline => _deadline.Token;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(static s => ((DrainCoordinator)s!).BeginDrain(), this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void BeginDrain()
    {
        if (_draining)
        {
            return;
        }

        _draining = true;

        // Watchers hear it now rather than at the health publisher's next run.
        foreach (var service in healthOptions.Value.Services)
        {
            health.SetStatus(service.Name, ServingStatus.NotServing);
        }

        var timeout = options.Value.Timeout;
        LogDraining(timeout);
        if (timeout <= TimeSpan.Zero)
        {
            _deadline.Cancel();
        }
        else
        {
            _deadline.CancelAfter(timeout);
        }
    }

    /// <summary>The status a drained call ends with.</summary>
    public static Status DrainedStatus { get; } = new(StatusCode.Unavailable, "the server is shutting down; resume from the position in the trailers on another instance");

    public void Dispose()
    {
        _stopping.Dispose();
        _deadline.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutting down: refusing new calls, letting running streams finish for {DrainTimeout}")]
    private partial void LogDraining(TimeSpan drainTimeout);
}
