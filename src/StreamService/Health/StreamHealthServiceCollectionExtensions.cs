using Grpc.AspNetCore.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StreamService.Drain;
using StreamService.Files;
using StreamService.Llm;
using StreamService.Rows;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// grpc.health.v1.Health on Grpc.AspNetCore.HealthChecks, backed by ASP.NET Core health checks:
/// each stream service's status is the worst of the checks it depends on (PostgreSQL reachable, file
/// roots readable, LLM backends configured), and every one NOT_SERVING while the instance drains.
/// "" (the server as a whole, what container probes ask) is SERVING while the instance is up and
/// not draining: a database outage stops row streams and imports, not the file and token streams,
/// so it must not take the instance out of rotation. Check runs the checks when asked; Watch gets
/// changes from the health-check publisher, which runs them every
/// <see cref="RowsOptions.HealthProbeInterval"/>.
/// </summary>
internal static class StreamHealthServiceCollectionExtensions
{
    public const string RowsService = "streamgrpc.v1.RowsService";
    public const string FilesService = "streamgrpc.v1.FileLines";
    public const string JobsService = "streamgrpc.v1.JobsService";
    public const string LlmService = "streamgrpc.v1.LlmService";

    /// <summary>Depends on nothing but the instance being up (it answers from configuration while
    /// the database is down).</summary>
    public const string ServerInfoService = "streamgrpc.v1.ServerInfo";

    /// <summary>The services health reports on, besides "" (the whole server).</summary>
    public static readonly string[] Services = [RowsService, FilesService, JobsService, LlmService, ServerInfoService];

    public static IServiceCollection AddStreamHealth(this IServiceCollection services)
    {
        services.AddGrpcHealthChecks(options =>
            {
                options.Services.Map(string.Empty, check => check.Name == DrainHealthCheck.Name);
                foreach (var service in Services)
                {
                    options.Services.Map(service, check => check.Name == DrainHealthCheck.Name || check.Tags.Contains(service));
                }
            })
            .AddCheck<DrainHealthCheck>(DrainHealthCheck.Name)
            .AddCheck<PostgresHealthCheck>(PostgresHealthCheck.Name, tags: [RowsService, JobsService])
            .AddCheck<FileRootsHealthCheck>(FileRootsHealthCheck.Name, tags: [FilesService, JobsService])
            .AddCheck<LlmBackendsHealthCheck>(LlmBackendsHealthCheck.Name, tags: [LlmService]);

        // After grpc-dotnet's publisher (registered by AddGrpcHealthChecks), so it has the last word.
        services.AddSingleton<IHealthCheckPublisher, DrainHealthPublisher>();

        services.AddOptions<HealthCheckPublisherOptions>().Configure<IOptions<RowsOptions>>((publisher, rows) =>
        {
            publisher.Delay = TimeSpan.Zero;
            // The publisher refuses periods under one second.
            publisher.Period = rows.Value.HealthProbeInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : rows.Value.HealthProbeInterval;
        });
        return services;
    }
}
