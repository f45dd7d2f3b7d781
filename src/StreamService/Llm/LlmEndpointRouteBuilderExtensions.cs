using Grpc.Health.V1;
using StreamGrpc.Rpc.AspNetCore.Health;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the LLM token-stream feature.</summary>
internal static class LlmEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>streamgrpc.v1.LlmService</c> and reports it SERVING to the health service: its
    /// configuration was validated at start-up, and upstream trouble is per call, not per server.</summary>
    public static IEndpointRouteBuilder MapLlm(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<StreamService.Llm.LlmService>();
        endpoints.ServiceProvider.GetService<HealthStatusRegistry>()
            ?.SetStatus(StreamGrpc.V1.LlmService.Descriptor.FullName, HealthCheckResponse.Types.ServingStatus.Serving);
        return endpoints;
    }
}
