using System.Collections.Concurrent;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace StreamGrpc.Rpc.AspNetCore.Health;

/// <summary>
/// The serving status of the server ("" key) and of each named service, as reported by
/// grpc.health.v1.Health. Parts of the application set their status as it changes (e.g. a
/// database becoming unreachable); watchers are woken on every change.
/// </summary>
public sealed class HealthStatusRegistry
{
    private readonly ConcurrentDictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates a registry in which the server as a whole is SERVING.</summary>
    public HealthStatusRegistry() => _statuses[string.Empty] = ServingStatus.Serving;

    /// <summary>Sets the status of a service ("" for the whole server) and wakes watchers.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        _statuses[service] = status;
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Forgets a service; watchers then see SERVICE_UNKNOWN.</summary>
    public void ClearStatus(string service)
    {
        _statuses.TryRemove(service, out _);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>The status of a service, if known.</summary>
    public bool TryGetStatus(string service, out ServingStatus status) => _statuses.TryGetValue(service, out status);

    /// <summary>All known statuses.</summary>
    public IReadOnlyDictionary<string, ServingStatus> Snapshot() => new Dictionary<string, ServingStatus>(_statuses);

    /// <summary>A task that completes at the next change after this call.</summary>
    internal Task NextChange => Volatile.Read(ref _changed).Task;

    internal HealthCheckResponse ResponseFor(string service, bool forWatch)
        => new()
        {
            Status = TryGetStatus(service, out var status) ? status : (forWatch ? ServingStatus.ServiceUnknown : ServingStatus.Unknown),
        };
}
