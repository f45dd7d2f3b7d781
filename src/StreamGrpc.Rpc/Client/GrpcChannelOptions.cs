using System.IO.Compression;

namespace Grpc.Net.Client;

/// <summary>Options of a <see cref="GrpcChannel"/>.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>The HTTP handler calls go through. Default: a <see cref="SocketsHttpHandler"/> that
    /// opens more HTTP/2 connections when one reaches its concurrent stream limit.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Whether disposing the channel disposes <see cref="HttpHandler"/>. Default true for
    /// the channel's own handler; set it for one you pass in.</summary>
    public bool DisposeHttpHandler { get; set; } = true;

    /// <summary>Largest response message accepted, in bytes; null for no limit. Default 4 MiB.</summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest request message sent, in bytes; null for no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Throw <see cref="OperationCanceledException"/> instead of an <c>RpcException</c>
    /// with CANCELLED when the caller's token cancels the call.</summary>
    public bool ThrowOperationCanceledOnCancellation { get; set; }

    /// <summary>Compression level for compressed requests.</summary>
    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;
}
