namespace Grpc.Core;

/// <summary>Receives the methods of a service from generated <c>BindService</c> code. A runtime
/// subclasses it to register each method with its transport.</summary>
public class ServiceBinderBase
{
    /// <summary>Binds a unary method.</summary>
    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        where TRequest : class
        where TResponse : class
        => throw new NotImplementedException();

    /// <summary>Binds a client-streaming method.</summary>
    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class
        where TResponse : class
        => throw new NotImplementedException();

    /// <summary>Binds a server-streaming method.</summary>
    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class
        where TResponse : class
        => throw new NotImplementedException();

    /// <summary>Binds a duplex-streaming method.</summary>
    public virtual void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        where TRequest : class
        where TResponse : class
        => throw new NotImplementedException();
}
