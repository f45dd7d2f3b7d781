using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace StreamService.Tls;

/// <summary>
/// Logs, once the server listens, which endpoints use TLS and warns about plaintext ones (h2c or
/// HTTP/1.1) that are reachable from other hosts: plaintext belongs on loopback or behind a
/// TLS-terminating proxy. TLS endpoints come from Kestrel's own configuration
/// (<c>Kestrel:Endpoints:&lt;name&gt;:Url</c> with <c>https://</c> and
/// <c>Certificate:Path</c>/<c>KeyPath</c>), the HTTP version negotiated by ALPN.
/// </summary>
internal sealed partial class EndpointSecurityReport(IServer server, IHostApplicationLifetime lifetime, ILogger<EndpointSecurityReport> logger) : IHostedService
{
    private CancellationTokenRegistration _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = lifetime.ApplicationStarted.Register(static s => ((EndpointSecurityReport)s!).Report(), this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _started.Dispose();
        return Task.CompletedTask;
    }

    private void Report()
    {
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                continue;
            }

            if (uri.Scheme == Uri.UriSchemeHttps)
            {
                LogTls(address);
            }
            else if (IsLoopback(uri.Host))
            {
                LogPlaintextLoopback(address);
            }
            else
            {
                LogPlaintextExposed(address);
            }
        }
    }

    private static bool IsLoopback(string host)
        => host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening with TLS (HTTP/2 by ALPN) on {Address}")]
    private partial void LogTls(string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening in plaintext on loopback {Address}")]
    private partial void LogPlaintextLoopback(string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening in plaintext on {Address}, reachable from other hosts: bearer tokens cross the network unencrypted "
        + "unless a TLS-terminating proxy is in front. Configure an https endpoint (Kestrel:Endpoints) otherwise.")]
    private partial void LogPlaintextExposed(string address);
}
