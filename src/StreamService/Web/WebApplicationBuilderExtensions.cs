using Grpc.AspNetCore.Web;
using Microsoft.Extensions.Options;
using StreamService.Web;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Puts CORS and gRPC-Web in front of the gRPC endpoints.</summary>
internal static class WebApplicationBuilderExtensions
{
    /// <summary>CORS first (it answers preflights and adds the allowed origin's headers; with no
    /// origin configured there is nothing to allow and it is left out), then Grpc.AspNetCore.Web,
    /// which turns a gRPC-Web request into a gRPC call for grpc-dotnet, so the call gate
    /// (authentication, limits, drain, metrics) sees it like any other call.</summary>
    public static IApplicationBuilder UseStreamWeb(this IApplicationBuilder app)
    {
        var web = app.ApplicationServices.GetRequiredService<IOptions<WebOptions>>().Value;
        if (web.AllowedOrigins.Count > 0)
        {
            app.UseCors(WebCorsPolicy.Name);
        }

        if (web.Enabled)
        {
            app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        }

        return app;
    }
}
