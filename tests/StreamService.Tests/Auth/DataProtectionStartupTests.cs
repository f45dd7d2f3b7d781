using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Auth;

/// <summary>Authentication registers ASP.NET Core Data Protection, whose hosted service would load (and on
/// a first run create and write) a key ring at start-up; the service protects nothing, so that load is
/// removed while Data Protection itself keeps working on demand.</summary>
public sealed class DataProtectionStartupTests
{
    [Fact]
    public async Task Start_LoadsNoDataProtectionKeyRing_AndProtectorsAreStillAvailable()
    {
        await using var host = await StreamServiceHost.StartAsync();

        var dataProtection = typeof(DataProtectionOptions).Assembly;
        var hosted = host.Services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();
        Assert.NotEmpty(hosted);
        Assert.DoesNotContain(hosted, type => type.Assembly == dataProtection);

        // Anything that ever needs a protector still gets one; its key ring would load on first use
        // (not exercised here: that would write a key under the user's home).
        Assert.NotNull(host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("streamgrpc-test"));
    }
}
