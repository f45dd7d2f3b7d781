namespace Grpc.Core;

/// <summary>Server-side handler of a server-streaming method. One request in, a stream of responses out.</summary>
public delegate Task ServerStreamingServerMethod<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context)
    where TRequest : class
    where TResponse : class;
