namespace StreamGrpc.Interop.Server;

/// <summary>When this server process started serving, for the probe service.</summary>
internal sealed class ServerStartTime(TimeProvider timeProvider)
{
    public DateTimeOffset Value { get; } = timeProvider.GetUtcNow();
}
