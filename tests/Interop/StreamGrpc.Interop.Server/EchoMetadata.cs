using Grpc.Core;

namespace StreamGrpc.Interop.Server;

/// <summary>The "Echo Metadata" server feature: <c>x-grpc-test-echo-initial</c> goes back as a
/// response header, <c>x-grpc-test-echo-trailing-bin</c> as a trailer, key and value unchanged.</summary>
internal static class EchoMetadata
{
    public const string InitialKey = "x-grpc-test-echo-initial";
    public const string TrailingKey = "x-grpc-test-echo-trailing-bin";

    public static async Task ApplyAsync(ServerCallContext context)
    {
        foreach (var entry in context.RequestHeaders)
        {
            if (entry.Key == TrailingKey)
            {
                context.ResponseTrailers.Add(TrailingKey, entry.ValueBytes);
            }
        }

        var initial = context.RequestHeaders.Get(InitialKey);
        if (initial is not null)
        {
            await context.WriteResponseHeadersAsync(new Metadata { { InitialKey, initial.Value } });
        }
    }
}
