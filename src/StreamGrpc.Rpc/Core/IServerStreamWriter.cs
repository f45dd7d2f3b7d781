namespace Grpc.Core;

/// <summary>The server side's writer of response messages.</summary>
public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T>
{
}
