using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamService.Jobs;
using StreamService.Rows;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers import jobs.</summary>
internal static class JobsServiceCollectionExtensions
{
    /// <summary>Options (validated at start-up), the shared <see cref="NpgsqlDataSource"/> (the rows
    /// feature's registration when present), the runner and the notification listener. Reading
    /// files goes through the files feature (<c>AddFiles</c>), which must be registered too.
    /// Nothing connects to the database here: the service starts while PostgreSQL is down.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>()
            .Bind(configuration.GetSection(JobsOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobsOptions>>(new JobsOptionsValidator(configuration));

        services.TryAddSingleton(provider => RowsDataSourceFactory.Create(
            configuration.GetConnectionString(RowsDataSourceFactory.ConnectionStringName)!,
            provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<JobsInstance>();
        services.AddSingleton<JobsSchema>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<ImportTargetCatalog>();
        services.AddSingleton<ImportRequestValidator>();
        services.AddSingleton<ImportJob>();
        services.AddSingleton<JobWatcher>();
        services.AddSingleton<JobNotifications>();
        services.AddHostedService(provider => provider.GetRequiredService<JobNotifications>());
        services.AddSingleton<JobRunner>();
        services.AddHostedService(provider => provider.GetRequiredService<JobRunner>());
        return services;
    }
}
