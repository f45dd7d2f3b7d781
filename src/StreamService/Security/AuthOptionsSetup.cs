using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>Chooses the mode when none is configured: the zero-set-up None mode only in the
/// Development environment, so a forgotten setting in production fails closed. Reads the
/// conventional <c>Authentication:Schemes:Bearer</c> section next to <c>StreamGrpc:Auth</c>.</summary>
internal sealed class AuthOptionsSetup(IHostEnvironment environment, IConfiguration configuration) : IPostConfigureOptions<AuthOptions>
{
    public void PostConfigure(string? name, AuthOptions options)
    {
        options.Mode ??= environment.IsDevelopment() ? AuthMode.None : AuthMode.Bearer;
        var bearer = configuration.GetSection(BearerSchemeSettings.SectionName);
        options.BearerSchemeConfigured = bearer.GetChildren().Any();
        options.BearerScheme = bearer.Get<BearerSchemeSettings>() ?? new BearerSchemeSettings();
    }
}
