using Microsoft.AspNetCore.Http;
using StreamGrpc.Rpc.AspNetCore.Internal;

namespace Grpc.Core;

/// <summary>ASP.NET Core specific access to a <see cref="ServerCallContext"/>.</summary>
public static class ServerCallContextExtensions
{
    /// <summary>The <see cref="HttpContext"/> of the call.</summary>
    public static HttpContext GetHttpContext(this ServerCallContext serverCallContext)
        => (serverCallContext as HttpContextServerCallContext)?.HttpContext
            ?? throw new InvalidOperationException("This ServerCallContext does not belong to an ASP.NET Core call.");
}
