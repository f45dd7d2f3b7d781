using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace StreamClient;

/// <summary>
/// The typed StreamGrpc client: one entry point per stream kind, each an <see cref="IAsyncEnumerable{T}"/>
/// of domain values that resumes by itself after transient failures. Thread-safe; share one instance.
/// </summary>
public sealed partial class StreamGrpcClient : IDisposable
{
    private readonly CallInvoker _invoker;
    private readonly GrpcChannel? _ownedChannel;

    /// <summary>Creates a client with its own channel.</summary>
    public StreamGrpcClient(StreamGrpcClientOptions options)
        : this(CreateChannel(options), options)
    {
        _ownedChannel = Channel;
    }

    /// <summary>Creates a client over an existing channel (not disposed with the client).</summary>
    public StreamGrpcClient(GrpcChannel channel, StreamGrpcClientOptions options)
        : this(channel.CreateCallInvoker(), options)
    {
        Channel = channel;
    }

    /// <summary>Creates a client over a call invoker: how Grpc.Net.ClientFactory creates it
    /// (<see cref="StreamGrpcClientServiceCollectionExtensions.AddStreamGrpcClient"/>).</summary>
    [ActivatorUtilitiesConstructor]
    public StreamGrpcClient(CallInvoker callInvoker, IOptions<StreamGrpcClientOptions> options)
        : this(callInvoker, options.Value)
    {
    }

    private StreamGrpcClient(CallInvoker callInvoker, StreamGrpcClientOptions options)
    {
        _invoker = callInvoker;
        Options = options;
    }

    /// <summary>The options the client was built with.</summary>
    public StreamGrpcClientOptions Options { get; }

    /// <summary>The invoker of the client's calls, for generated clients of the same service
    /// (<c>new RowsService.RowsServiceClient(client.CallInvoker)</c>).</summary>
    public CallInvoker CallInvoker => _invoker;

    /// <summary>The channel, when the client was built over one (null when created by the client factory).</summary>
    public GrpcChannel? Channel { get; }

    /// <summary>Raised before each resume attempt (failure, attempt number, backoff).</summary>
    public event Action<RpcException, int, TimeSpan>? Resuming;

    /// <inheritdoc />
    public void Dispose() => _ownedChannel?.Dispose();

    /// <summary>Builds the channel for the options: TLS settings for https, limits.</summary>
    public static GrpcChannel CreateChannel(StreamGrpcClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions
        {
            HttpHandler = CreateHandler(options),
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
        });
    }

    /// <summary>The HTTP handler of the client's channel: HTTP/2 keepalive pings on long-lived
    /// streams, several connections when one's stream limit is reached, no proxy, and the TLS
    /// trust settings of <paramref name="options"/>.</summary>
    public static SocketsHttpHandler CreateHandler(StreamGrpcClientOptions options)
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

        return handler;
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
