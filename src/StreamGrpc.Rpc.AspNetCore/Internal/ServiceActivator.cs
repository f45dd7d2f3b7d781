using Microsoft.Extensions.DependencyInjection;

namespace StreamGrpc.Rpc.AspNetCore.Internal;

/// <summary>Gives each call its service instance: from DI when the service is registered there,
/// otherwise constructed per call with constructor injection (and disposed after the call).</summary>
internal sealed class ServiceActivator<TService>
    where TService : class
{
    private readonly ObjectFactory<TService> _factory = ActivatorUtilities.CreateFactory<TService>(Type.EmptyTypes);

    public TService Create(IServiceProvider services, out bool created)
    {
        if (services.GetService<TService>() is { } registered)
        {
            created = false;
            return registered;
        }

        created = true;
        return _factory(services, null);
    }

    public static async ValueTask ReleaseAsync(TService service)
    {
        if (service is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (service is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
