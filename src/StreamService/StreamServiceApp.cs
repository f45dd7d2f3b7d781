using Microsoft.AspNetCore.Server.Kestrel.Core;
using StreamService.Calls;
using StreamService.Files;

namespace StreamService;

/// <summary>Builds the StreamService web application. Program.cs and the functional tests both go
/// through here, so tests run exactly the wiring users run.</summary>
public static class StreamServiceApp
{
    /// <summary>The gRPC (h2c) address used when neither ASPNETCORE_URLS nor --urls nor Kestrel endpoints
    /// are set; HTTP/1.1 is then on <see cref="Http.ListenEndpointDefaults.DefaultHttp1Url"/>.</summary>
    public const string DefaultUrl = Http.ListenEndpointDefaults.DefaultGrpcUrl;

    /// <summary>Creates the application; <paramref name="configure"/> lets tests override settings.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        ConfigureKestrel(builder);
        configure?.Invoke(builder);
        Http.ListenEndpointDefaults.Apply(builder.Configuration, builder.Configuration);

        // grpc-dotnet, with the call gate in front of every service (reflection and health included).
        GrpcSettings.ThrowOnUnknownKeys(builder.Configuration);
        builder.Services.AddGrpc(options =>
        {
            GrpcSettings.Bind(builder.Configuration, options);
            options.Interceptors.Add<StreamCallGate>();
        }).AddStreamHttpJson();
        builder.Services.AddOptions<StreamCallOptions>()
            .Bind(builder.Configuration.GetSection(GrpcSettings.SectionName))
            .Validate(o => o.StalledConsumerTimeout is null || o.StalledConsumerTimeout > TimeSpan.Zero, "StreamGrpc:Grpc:StalledConsumerTimeout must be positive (or unset to wait forever).")
            .ValidateOnStart();
        builder.Services.AddSingleton<StreamCallGate>();
        builder.Services.AddGrpcReflection();
        builder.Services.AddStreamHealth();

        // Production hardening: authentication and scopes, limits, drain, metrics and traces, TLS report.
        builder.Services.AddStreamAuth(builder.Configuration);
        builder.Services.AddStreamLimits(builder.Configuration);
        builder.Services.AddStreamDrain(builder.Configuration);
        builder.Services.AddStreamObservability(builder.Configuration);
        builder.Services.AddHostedService<Tls.EndpointSecurityReport>();
        builder.Services.AddStreamWeb(builder.Configuration);
        builder.Services.AddStatusPage(builder.Configuration);

        // Feature registrations (one line per stream kind) go here.
        builder.Services.AddLlm(builder.Configuration);
        builder.Services.AddFiles(builder.Configuration);
        builder.Services.AddRows(builder.Configuration);
        builder.Services.AddJobs(builder.Configuration);

        // Last, so no registration above can bring it back (see DataProtectionStartup).
        builder.Services.RemoveDataProtectionStartupLoad();

        var app = builder.Build();
        app.UseStreamWeb();

        // Every request gets HttpContext.User from the default scheme (API key or JWT), whatever
        // its route: gRPC, gRPC-Web, HTTP/JSON. The call gate reads the same, cached, result.
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();

        // Feature endpoints (one line per stream kind) go here.
        app.MapLlm();
        app.MapFiles();
        app.MapJobs();
        app.MapRows();
        app.MapServerInfo();
        app.MapStreamOpenApi();
        app.MapStatusPage();

        return app;
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // gRPC needs HTTP/2. Plain-text endpoints only speak HTTP/2 with prior knowledge (h2c);
            // TLS endpoints negotiate it by ALPN. Overridable with Kestrel:EndpointDefaults:Protocols.
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = context.Configuration.GetValue("Kestrel:EndpointDefaults:Protocols", HttpProtocols.Http2));

            // Streams are long-lived and paced by the consumer: a client that reads slowly is
            // backpressure, not an attack, so Kestrel's minimum response data rate must not cut it.
            kestrel.Limits.MinResponseDataRate = null;
        });
    }
}
