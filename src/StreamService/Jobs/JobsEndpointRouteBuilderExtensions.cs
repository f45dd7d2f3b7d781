using StreamService.Jobs;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps import jobs.</summary>
internal static class JobsEndpointRouteBuilderExtensions
{
    public static WebApplication MapJobs(this WebApplication app)
    {
        app.MapGrpcService<JobsService>();
        return app;
    }
}
