using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace StreamClient;

/// <summary>
/// The typed StreamGrpc client: one entry point per stream kind, each an <see cref="IAsyncEnumerable{T}"/>
/// of domain values that resumes by itself after transient failures. Thread-safe; share one instance.
/// </summary>
public sealed partial class StreamGrpcClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly bool _ownsChannel;

    /// <summary>Creates a client with its own channel.</summary>
    public StreamGrpcClient(StreamGrpcClientOptions options)
        : this(CreateChannel(options), options, ownsChannel: true)
    {
    }

    /// <summary>Creates a client over an existing channel (not disposed with the client).</summary>
    public StreamGrpcClient(GrpcChannel channel, StreamGrpcClientOptions options)
        : this(channel, options, ownsChannel: false)
    {
    }

    private StreamGrpcClient(GrpcChannel channel, StreamGrpcClientOptions options, bool ownsChannel)
    {
        _channel = channel;
        Options = options;
        _ownsChannel = ownsChannel;
    }

    /// <summary>The options the client was built with.</summary>
    public StreamGrpcClientOptions Options { get; }

    /// <summary>The underlying channel, for generated clients of other services.</summary>
    public GrpcChannel Channel => _channel;

    /// <summary>Raised before each resume attempt (failure, attempt number, backoff).</summary>
    public event Action<RpcException, int, TimeSpan>? Resuming;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsChannel)
        {
            _channel.Dispose();
        }
    }

    /// <summary>Builds the channel for the options: TLS settings for https, limits.</summary>
    public static GrpcChannel CreateChannel(StreamGrpcClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
        };

        if (options.Address.Scheme == Uri.UriSchemeHttps)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                RemoteCertificateValidationCallback = CreateCertificateValidation(options),
            };
        }

        return GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpHandler = true,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
        });
    }

    /// <summary>Call options for one attempt: auth header, deadline, cancellation.</summary>
    internal CallOptions CallOptionsFor(StreamCallOptions call)
    {
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(Options.BearerToken))
        {
            headers.Add("authorization", "Bearer " + Options.BearerToken);
        }

        if (call.Headers is not null)
        {
            foreach (var entry in call.Headers)
            {
                headers.Add(entry);
            }
        }

        var deadline = call.Deadline ?? (Options.DefaultDeadline is { } d ? DateTime.UtcNow + d : null);
        return new CallOptions(headers, deadline, call.CancellationToken);
    }

    internal void OnResuming(RpcException failure, int attempt, TimeSpan delay) => Resuming?.Invoke(failure, attempt, delay);

    private static RemoteCertificateValidationCallback? CreateCertificateValidation(StreamGrpcClientOptions options)
    {
        if (options.DangerousAcceptAnyServerCertificate)
        {
            return (_, _, _, _) => true;
        }

        if (options.TrustedCaCertificatePath is not { } path)
        {
            return null;
        }

        var ca = X509CertificateLoader.LoadCertificateFromFile(path);
        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
    }
}
