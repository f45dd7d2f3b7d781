namespace StreamService.Calls;

/// <summary>Names the kind of a call from its gRPC service (the tag of per-kind metrics) and picks
/// out the infrastructure services the gate treats specially.</summary>
internal static class StreamKinds
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Kinds = new(StringComparer.Ordinal);

    public static bool IsHealth(string service) => service == "grpc.health.v1.Health";

    public static bool IsReflection(string service)
        => service is "grpc.reflection.v1.ServerReflection" or "grpc.reflection.v1alpha.ServerReflection";

    /// <summary>Health and reflection: open to anonymous callers when configured, never limited.</summary>
    public static bool IsInfrastructure(string service) => IsHealth(service) || IsReflection(service);

    /// <summary><c>streamgrpc.v1.RowsService</c> -> <c>rows</c>; <c>streamgrpc.v1.FileLines</c> -> <c>files</c>;
    /// <c>streamgrpc.v1.ServerInfo</c> -> <c>info</c>.</summary>
    public static string Of(string service) => Kinds.GetOrAdd(service, Name);

    private static string Name(string service)
    {
        if (IsHealth(service))
        {
            return "health";
        }

        if (IsReflection(service))
        {
            return "reflection";
        }

        var name = service[(service.LastIndexOf('.') + 1)..];
        if (name.EndsWith("Service", StringComparison.Ordinal) && name.Length > "Service".Length)
        {
            name = name[..^"Service".Length];
        }

        return name switch
        {
            "FileLines" or "Files" => "files",
            "ServerInfo" => "info",
            _ => name.ToLowerInvariant(),
        };
    }
}
