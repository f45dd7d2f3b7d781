namespace Grpc.Core;

/// <summary>
/// Thrown when a call completes with a non-OK status. Servers throw it to end a call with a chosen
/// status and trailers; clients observe it when the remote call fails.
/// </summary>
public class RpcException : Exception
{
    /// <summary>Creates an exception for the given status with empty trailers.</summary>
    public RpcException(Status status)
        : this(status, Metadata.Empty, status.ToString())
    {
    }

    /// <summary>Creates an exception for the given status with a custom message.</summary>
    public RpcException(Status status, string message)
        : this(status, Metadata.Empty, message)
    {
    }

    /// <summary>Creates an exception for the given status and trailers.</summary>
    public RpcException(Status status, Metadata trailers)
        : this(status, trailers, status.ToString())
    {
    }

    /// <summary>Creates an exception for the given status, trailers and message.</summary>
    public RpcException(Status status, Metadata trailers, string message)
        : base(message, status.DebugException)
    {
        Status = status;
        Trailers = trailers ?? throw new ArgumentNullException(nameof(trailers));
    }

    /// <summary>The status of the call.</summary>
    public Status Status { get; }

    /// <summary>Shortcut for <c>Status.StatusCode</c>.</summary>
    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailers sent (server) or received (client) with the status.</summary>
    public Metadata Trailers { get; }
}
