using Microsoft.Extensions.Options;
using StreamService.Files;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the files feature (in the DI namespace so the app builder needs no extra using).</summary>
internal static class FilesServiceCollectionExtensions
{
    /// <summary>Binds <c>StreamGrpc:Files</c> (validated at start-up) and registers the feature's services.</summary>
    public static IServiceCollection AddFiles(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FilesOptions>()
            .Bind(configuration.GetSection(FilesOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<FilesOptions>, FilesOptionsValidator>();
        services.AddSingleton<FileRoots>();
        services.AddSingleton<SandboxedPathResolver>();
        services.AddSingleton<FileChangeNotifier>();
        services.AddSingleton<FileLineSourceFactory>();
        services.AddSingleton<FileLinesRequestParser>();
        return services;
    }
}
