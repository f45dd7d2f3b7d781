using Microsoft.Extensions.Options;
using Npgsql;
using StreamService.Rows;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers row streams.</summary>
internal static class RowsServiceCollectionExtensions
{
    /// <summary>Options (validated at start-up), the one <see cref="NpgsqlDataSource"/> built from
    /// <c>ConnectionStrings:Postgres</c>, and the stream pipeline. Nothing connects to the database
    /// here: the service starts while PostgreSQL is down.</summary>
    public static IServiceCollection AddRows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RowsOptions>()
            .Bind(configuration.GetSection(RowsOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RowsOptions>, RowsOptionsValidator>();
        services.AddSingleton<IValidateOptions<RowsOptions>>(new RowsConnectionStringValidator(configuration));

        services.AddSingleton(provider => RowsDataSourceFactory.Create(
            configuration.GetConnectionString(RowsDataSourceFactory.ConnectionStringName) is { Length: > 0 } connectionString
                ? connectionString
                : throw new InvalidOperationException($"ConnectionStrings:{RowsDataSourceFactory.ConnectionStringName} must be set (environment variable ConnectionStrings__{RowsDataSourceFactory.ConnectionStringName})."),
            provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<DatasetCatalog>();
        services.AddSingleton<NpgsqlRowSource>();
        services.AddSingleton<ResumeTokenCodec>();
        services.AddSingleton<RowsStatusMapper>();
        services.AddSingleton<RowStreamer>();
        services.AddHostedService<RowsStartupCheck>();
        return services;
    }
}
