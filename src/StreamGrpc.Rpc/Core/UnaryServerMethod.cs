namespace Grpc.Core;

/// <summary>Server-side handler of a unary method. One request in, one response out.</summary>
public delegate Task<TResponse> UnaryServerMethod<TRequest, TResponse>(TRequest request, ServerCallContext context)
    where TRequest : class
    where TResponse : class;
