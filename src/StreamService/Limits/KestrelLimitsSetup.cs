using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace StreamService.Limits;

/// <summary>Applies <see cref="LimitsOptions"/> to Kestrel.</summary>
internal sealed class KestrelLimitsSetup(IOptions<LimitsOptions> options) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var limits = options.Value;
        var http2 = kestrel.Limits.Http2;
        http2.MaxStreamsPerConnection = limits.Http2MaxStreamsPerConnection;
        http2.InitialConnectionWindowSize = limits.Http2InitialConnectionWindowSize;
        http2.InitialStreamWindowSize = limits.Http2InitialStreamWindowSize;
        http2.KeepAlivePingDelay = limits.KeepAlivePingDelay ?? TimeSpan.MaxValue;
        http2.KeepAlivePingTimeout = limits.KeepAlivePingTimeout;
        kestrel.Limits.MaxConcurrentConnections = limits.MaxConcurrentConnections;
    }
}
