namespace StreamService;

/// <summary>Builds the StreamService web application. Program.cs and the functional tests both go
/// through here, so tests run exactly the wiring users run.</summary>
public static class StreamServiceApp
{
    /// <summary>Creates the application; <paramref name="configure"/> lets tests override settings.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        // Feature registrations (one line per stream kind) go here.
        builder.Services.AddRows(builder.Configuration);

        var app = builder.Build();

        // Feature endpoints (one line per stream kind) go here.

        return app;
    }
}
