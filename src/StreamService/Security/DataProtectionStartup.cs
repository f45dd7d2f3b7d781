using Microsoft.AspNetCore.DataProtection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps ASP.NET Core Data Protection from loading its key ring when the service starts.</summary>
/// <remarks>
/// <c>AddAuthentication()</c> registers Data Protection for the handlers that protect state (cookies,
/// OpenID Connect and OAuth sign-in). Data Protection's hosted service then loads the key ring at start-up,
/// and on a first run creates a key and writes it to <c>~/.aspnet/DataProtection-Keys</c>. None of this
/// service's schemes (JwtBearer, API keys, the policy selector, anonymous) protects anything, so that load
/// only cost resident memory (the XML stack and OpenSSL: about 10 MiB of an idle instance's RSS, measured
/// with the load on and off) and a file in the user's home. Without the hosted service Data Protection
/// stays registered and works as before if anything ever asks for a protector: the key ring is then
/// loaded on that first use.
/// The hosted service is an internal type of Microsoft.AspNetCore.DataProtection, so it is found as the
/// hosted service that assembly registers; if a later version registers none, nothing is removed.
/// </remarks>
internal static class DataProtectionStartup
{
    public static IServiceCollection RemoveDataProtectionStartupLoad(this IServiceCollection services)
    {
        var dataProtection = typeof(DataProtectionOptions).Assembly;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService)
                && !descriptor.IsKeyedService
                && descriptor.ImplementationType?.Assembly == dataProtection)
            {
                services.RemoveAt(i);
            }
        }

        return services;
    }
}
