namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the LLM token-stream feature.</summary>
internal static class LlmEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>streamgrpc.v1.LlmService</c>.</summary>
    public static IEndpointConventionBuilder MapLlm(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGrpcService<StreamService.Llm.LlmService>();
}
