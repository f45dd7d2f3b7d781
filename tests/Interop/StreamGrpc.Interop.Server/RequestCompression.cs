using Grpc.Core;
using Grpc.Testing;

namespace StreamGrpc.Interop.Server;

/// <summary>The "CompressedRequest" server feature: a request with <c>expect_compressed</c> set
/// must have arrived compressed, else the call fails with INVALID_ARGUMENT.</summary>
/// <remarks>The Grpc.Core API does not show a handler the per-message compressed flag, so the
/// check reads the call's <c>grpc-encoding</c> request header (gRPC over HTTP/2, "Message-Encoding"):
/// a client that compresses declares it there, and the runtime rejects a flagged message without
/// it. Only <c>expect_compressed = true</c> is enforced: a client may declare gzip and still send
/// single messages uncompressed, which the header cannot reveal.</remarks>
internal static class RequestCompression
{
    private const string MessageEncodingHeader = "grpc-encoding";

    public static void EnsureExpected(BoolValue? expectCompressed, ServerCallContext context)
    {
        if (expectCompressed?.Value != true)
        {
            return;
        }

        var encoding = context.GetHttpContext().Request.Headers[MessageEncodingHeader].ToString();
        if (encoding.Length == 0 || encoding == "identity")
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Expected a compressed request message."));
        }
    }
}
