namespace Grpc.Core;

/// <summary>The client side's writer of request messages.</summary>
public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    /// <summary>Half-closes the request stream: no more messages will be sent.</summary>
    Task CompleteAsync();
}
