using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StreamService.Llm;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the LLM token-stream feature.</summary>
internal static class LlmServiceCollectionExtensions
{
    /// <summary>Binds and validates <c>StreamGrpc:Llm</c> (at start-up) and registers the model router.</summary>
    public static IServiceCollection AddLlm(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LlmOptions>()
            .Bind(configuration.GetSection(LlmOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LlmOptions>, LlmOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LlmModelRouter>();
        return services;
    }
}
