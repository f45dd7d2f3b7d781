using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using StreamService.StatusPage;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the status page: <c>/</c> and its script and style under <c>/status/</c>, from
/// resources embedded in the service's assembly (StatusPage/wwwroot), through ASP.NET Core's static
/// files middleware. Nothing is built at run time and nothing is read from disk.</summary>
internal static class StatusPageEndpointRouteBuilderExtensions
{
    private const string ResourceNamespace = "StreamService.StatusPage.wwwroot";

    /// <summary>The page may load only its own script and style and call only its own origin.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static WebApplication MapStatusPage(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<StatusPageOptions>>().Value.Enabled)
        {
            return app;
        }

        var files = new EmbeddedFileProvider(typeof(StatusPageOptions).Assembly, ResourceNamespace);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = "/status",
            OnPrepareResponse = context => Secure(context.Context.Response),
        });
        var index = files.GetFileInfo("index.html");
        // A plain RequestDelegate, not a Delegate handler: those go through RequestDelegateFactory,
        // which compiles expression trees at start-up (System.Linq.Expressions and its JIT code).
        app.MapGet("/", async context =>
        {
            var response = context.Response;
            Secure(response);
            response.ContentType = "text/html; charset=utf-8";
            response.ContentLength = index.Length;
            await using var page = index.CreateReadStream();
            await page.CopyToAsync(response.Body, context.RequestAborted);
        }).ExcludeFromDescription();
        return app;
    }

    private static void Secure(HttpResponse response)
    {
        var headers = response.Headers;
        headers[HeaderNames.CacheControl] = "no-cache";
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
    }
}
