namespace Grpc.Core;

/// <summary>A service's methods with their handlers, built by generated <c>BindService(impl)</c> code.</summary>
public class ServerServiceDefinition
{
    private readonly IReadOnlyList<Action<ServiceBinderBase>> _addMethodActions;

    internal ServerServiceDefinition(IReadOnlyList<Action<ServiceBinderBase>> addMethodActions) => _addMethodActions = addMethodActions;

    /// <summary>Replays every method into a binder.</summary>
    internal void BindService(ServiceBinderBase serviceBinder)
    {
        foreach (var addMethod in _addMethodActions)
        {
            addMethod(serviceBinder);
        }
    }

    /// <summary>Creates a builder.</summary>
    public static Builder CreateBuilder() => new();

    /// <summary>Collects methods and handlers.</summary>
    public class Builder
    {
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);
        private readonly List<Action<ServiceBinderBase>> _actions = new();

        /// <summary>Adds a unary method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class
            => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Adds a client-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class
            => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Adds a server-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class
            => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Adds a duplex-streaming method.</summary>
        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class
            where TResponse : class
            => Add(method, b => b.AddMethod(method, handler));

        /// <summary>Builds the definition.</summary>
        public ServerServiceDefinition Build() => new(_actions.ToArray());

        private Builder Add(IMethod method, Action<ServiceBinderBase> action)
        {
            if (!_names.Add(method.FullName))
            {
                throw new ArgumentException($"Method {method.FullName} is already added.", nameof(method));
            }

            _actions.Add(action);
            return this;
        }
    }
}
