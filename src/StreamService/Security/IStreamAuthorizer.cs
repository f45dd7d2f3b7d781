using Grpc.Core;

namespace StreamService.Security;

/// <summary>The one authorisation check feature services make, before touching any source.</summary>
public interface IStreamAuthorizer
{
    /// <summary>Throws <see cref="RpcException"/> with PERMISSION_DENIED unless the call's caller has a
    /// scope covering <paramref name="kind"/> (<c>rows</c>, <c>files</c>, <c>jobs</c>, <c>llm</c>) and
    /// <paramref name="resource"/> (dataset, file root, model; null for kinds without names).
    /// Throws UNAUTHENTICATED when the call has no authenticated caller at all.</summary>
    void Demand(ServerCallContext context, string kind, string? resource);
}
