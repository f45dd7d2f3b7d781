using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using StreamService.Web;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers gRPC-Web's options and the CORS policy of browser callers.</summary>
internal static class WebServiceCollectionExtensions
{
    public static IServiceCollection AddStreamWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebOptions>()
            .Bind(configuration.GetSection(WebOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebOptions>, WebOptionsValidator>();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<WebOptions>>((cors, web) => WebCorsPolicy.Configure(cors, web.Value));
        return services;
    }
}
