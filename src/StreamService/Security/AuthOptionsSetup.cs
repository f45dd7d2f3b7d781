using Microsoft.Extensions.Options;

namespace StreamService.Security;

/// <summary>Chooses the mode when none is configured: the zero-set-up None mode only in the
/// Development environment, so a forgotten setting in production fails closed.</summary>
internal sealed class AuthOptionsSetup(IHostEnvironment environment) : IPostConfigureOptions<AuthOptions>
{
    public void PostConfigure(string? name, AuthOptions options)
        => options.Mode ??= environment.IsDevelopment() ? AuthMode.None : AuthMode.Bearer;
}
