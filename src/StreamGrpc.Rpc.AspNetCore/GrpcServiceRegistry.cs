using System.Collections.Concurrent;
using Google.Protobuf.Reflection;

namespace StreamGrpc.Rpc.AspNetCore;

/// <summary>The services mapped on this server, with their protobuf descriptors when the generated
/// code provides one. Reflection lists these; the unimplemented handler tells a missing method of a
/// known service from a missing service.</summary>
public sealed class GrpcServiceRegistry
{
    private readonly ConcurrentDictionary<string, ServiceDescriptor?> _services = new(StringComparer.Ordinal);

    internal bool UnimplementedEndpointMapped { get; set; }

    /// <summary>Full names of the mapped services, sorted.</summary>
    public IReadOnlyList<string> ServiceNames => _services.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Descriptors of the mapped services that have one.</summary>
    public IReadOnlyList<ServiceDescriptor> Descriptors => _services.Values.OfType<ServiceDescriptor>().ToArray();

    /// <summary>Whether a service of this full name is mapped.</summary>
    public bool ContainsService(string fullName) => _services.ContainsKey(fullName);

    internal void Add(string fullName, ServiceDescriptor? descriptor) => _services[fullName] = descriptor;
}
