using System.Security.Authentication;
using Grpc.Core;
using StreamClient;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;

namespace StreamService.Tests.Hardening;

/// <summary>Item 2: an https endpoint from configuration (certificate files, HTTP/2 by ALPN) next to
/// a loopback h2c endpoint, reached with the project's client.</summary>
public sealed class TlsTests
{
    private const string Key = "tls-key-0123456789";

    private static async Task<HardenedHost> StartAsync(TestCertificates certificates, CapturedLogs? logs = null)
    {
        var settings = HardeningSettings.WithKeys(("tls", Key, ["llm"]))
            .FastBuiltinModels()
            .With("Kestrel:Endpoints:Tls:Url", "https://127.0.0.1:0")
            .With("Kestrel:Endpoints:Tls:Certificate:Path", certificates.CertificatePath)
            .With("Kestrel:Endpoints:Tls:Certificate:KeyPath", certificates.KeyPath)
            .With("Kestrel:Endpoints:Loopback:Url", "http://127.0.0.1:0");
        return await HardenedHost.StartAsync(settings, logs);
    }

    [Fact]
    public async Task Https_ClientTrustsCa_StreamsOverTlsAndLoopbackH2cStillServes()
    {
        var certificates = TestCertificates.Create();
        var logs = new CapturedLogs();
        await using var host = await StartAsync(certificates, logs);
        var https = Assert.Single(host.Addresses, a => a.Scheme == "https");
        var h2c = Assert.Single(host.Addresses, a => a.Scheme == "http");

        var overTls = await CompleteAsync(new StreamGrpcClientOptions { Address = https, BearerToken = Key, TrustedCaCertificatePath = certificates.CaPath });
        var overH2c = await CompleteAsync(new StreamGrpcClientOptions { Address = h2c, BearerToken = Key });

        Assert.Equal(CompletionChunk.KindOneofCase.Summary, overTls[^1].KindCase);
        Assert.Equal(CompletionChunk.KindOneofCase.Summary, overH2c[^1].KindCase);
        Assert.Contains(logs.Entries, e => e.Message.Contains("Listening with TLS", StringComparison.Ordinal) && e.Message.Contains(https.Authority, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Https_CertificateNotTrusted_FailsUnlessInsecureFlag()
    {
        var certificates = TestCertificates.Create();
        await using var host = await StartAsync(certificates);
        var https = Assert.Single(host.Addresses, a => a.Scheme == "https");

        var ex = await Assert.ThrowsAsync<RpcException>(() => CompleteAsync(new StreamGrpcClientOptions { Address = https, BearerToken = Key }));
        var insecure = await CompleteAsync(new StreamGrpcClientOptions { Address = https, BearerToken = Key, DangerousAcceptAnyServerCertificate = true });

        Assert.NotEqual(StatusCode.OK, ex.StatusCode);
        Assert.True(Chain(ex.Status.DebugException).Any(e => e is AuthenticationException), ex.ToString());
        Assert.Equal(CompletionChunk.KindOneofCase.Summary, insecure[^1].KindCase);
    }

    [Fact]
    public async Task Https_WrongCa_Fails()
    {
        var certificates = TestCertificates.Create();
        var otherCa = TestCertificates.Create();
        await using var host = await StartAsync(certificates);
        var https = Assert.Single(host.Addresses, a => a.Scheme == "https");

        var ex = await Assert.ThrowsAsync<RpcException>(() => CompleteAsync(new StreamGrpcClientOptions { Address = https, BearerToken = Key, TrustedCaCertificatePath = otherCa.CaPath }));

        Assert.True(Chain(ex.Status.DebugException).Any(e => e is AuthenticationException), ex.ToString());
    }

    private static async Task<List<CompletionChunk>> CompleteAsync(StreamGrpcClientOptions options)
    {
        options.Resume.MaxAttempts = 0;
        using var client = new StreamGrpcClient(options);
        var chunks = new List<CompletionChunk>();
        await foreach (var chunk in client.StreamCompletionAsync(LlmCalls.Request("builtin-echo"), new StreamCallOptions { CancellationToken = TestTimeout.Token() }))
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
