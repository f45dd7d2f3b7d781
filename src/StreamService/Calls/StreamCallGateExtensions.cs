using StreamService.Calls;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Puts the <see cref="StreamCallGate"/> in front of every gRPC endpoint.</summary>
internal static class StreamCallGateExtensions
{
    /// <summary>Adds the gate; call after routing (WebApplication routes first by itself) and before endpoints.</summary>
    public static IApplicationBuilder UseStreamCallGate(this IApplicationBuilder app) => app.UseMiddleware<StreamCallGate>();
}
