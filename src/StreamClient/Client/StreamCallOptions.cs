using Grpc.Core;

namespace StreamClient;

/// <summary>Per-call settings: deadline, cancellation and extra headers.</summary>
public readonly record struct StreamCallOptions
{
    /// <summary>Absolute deadline (UTC) for the whole stream, resumes included.</summary>
    public DateTime? Deadline { get; init; }

    /// <summary>Cancels the stream and the work at the service.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Extra request headers.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>
    /// Options that carry an incoming call's deadline and cancellation to an outgoing call, so a
    /// service that re-streams from StreamGrpc stops the inner stream when its own caller goes away.
    /// </summary>
    public static StreamCallOptions PropagatedFrom(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new StreamCallOptions
        {
            Deadline = context.Deadline == DateTime.MaxValue ? null : context.Deadline,
            CancellationToken = context.CancellationToken,
        };
    }
}
