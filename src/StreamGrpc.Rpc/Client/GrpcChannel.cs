using System.IO.Compression;
using Grpc.Core;
using StreamGrpc.Rpc.Client;

namespace Grpc.Net.Client;

/// <summary>
/// A channel to a gRPC server over HTTP/2 with <see cref="SocketsHttpHandler"/>: <c>http://</c>
/// addresses use HTTP/2 with prior knowledge (h2c), <c>https://</c> addresses negotiate h2 by ALPN.
/// Channels are thread-safe and meant to be long-lived and shared.
/// </summary>
public sealed class GrpcChannel : ChannelBase, IDisposable
{
    private readonly bool _disposeHandler;
    private int _disposed;

    private GrpcChannel(Uri address, GrpcChannelOptions options)
        : base(address.Authority)
    {
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Address '{address}' must use http:// or https://.", nameof(address));
        }

        Address = address;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize;
        MaxSendMessageSize = options.MaxSendMessageSize;
        ThrowOperationCanceledOnCancellation = options.ThrowOperationCanceledOnCancellation;
        CompressionLevel = options.CompressionLevel;
        if (options.HttpHandler is null)
        {
            Invoker = new HttpMessageInvoker(CreateDefaultHandler(), disposeHandler: true);
            _disposeHandler = true;
        }
        else
        {
            Invoker = new HttpMessageInvoker(options.HttpHandler, disposeHandler: options.DisposeHttpHandler);
            _disposeHandler = true;
        }
    }

    /// <summary>The server address.</summary>
    public Uri Address { get; }

    internal HttpMessageInvoker Invoker { get; }

    internal int? MaxReceiveMessageSize { get; }

    internal int? MaxSendMessageSize { get; }

    internal bool ThrowOperationCanceledOnCancellation { get; }

    internal CompressionLevel CompressionLevel { get; }

    internal bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    /// <summary>Creates a channel for an address such as <c>http://127.0.0.1:5000</c>.</summary>
    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
        => ForAddress(new Uri(address ?? throw new ArgumentNullException(nameof(address))), options);

    /// <summary>Creates a channel for an address.</summary>
    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
        => new(address ?? throw new ArgumentNullException(nameof(address)), options ?? new GrpcChannelOptions());

    /// <inheritdoc />
    public override CallInvoker CreateCallInvoker() => new HttpClientCallInvoker(this);

    /// <summary>Closes the channel's connections; calls in progress fail.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _disposeHandler)
        {
            Invoker.Dispose();
        }
    }

    /// <inheritdoc />
    protected override Task ShutdownAsyncCore()
    {
        Dispose();
        return Task.CompletedTask;
    }

    private static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        // A connection carries at most the server's SETTINGS_MAX_CONCURRENT_STREAMS streams (100 on
        // Kestrel by default); beyond that, open another connection instead of queueing calls.
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseCookies = false,
        UseProxy = false,
    };
}
