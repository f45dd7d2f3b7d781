namespace Grpc.Core;

/// <summary>A remote method with typed request and response marshallers.</summary>
public class Method<TRequest, TResponse> : IMethod
{
    /// <summary>Creates a method description.</summary>
    public Method(MethodType type, string serviceName, string name, Marshaller<TRequest> requestMarshaller, Marshaller<TResponse> responseMarshaller)
    {
        Type = type;
        ServiceName = serviceName ?? throw new ArgumentNullException(nameof(serviceName));
        Name = name ?? throw new ArgumentNullException(nameof(name));
        RequestMarshaller = requestMarshaller ?? throw new ArgumentNullException(nameof(requestMarshaller));
        ResponseMarshaller = responseMarshaller ?? throw new ArgumentNullException(nameof(responseMarshaller));
        FullName = "/" + serviceName + "/" + name;
    }

    /// <inheritdoc />
    public MethodType Type { get; }

    /// <inheritdoc />
    public string ServiceName { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string FullName { get; }

    /// <summary>Serializes requests and deserializes them on the server.</summary>
    public Marshaller<TRequest> RequestMarshaller { get; }

    /// <summary>Serializes responses and deserializes them on the client.</summary>
    public Marshaller<TResponse> ResponseMarshaller { get; }
}
