namespace StreamGrpc.Interop.Client;

/// <summary>Options of the interop client.</summary>
/// <param name="SkipCompressionProbe">client_compressed_unary starts with a probe: an uncompressed
/// request with expect_compressed = true, which a server with the CompressedRequest feature
/// refuses. Servers that cannot see request compression (grpcio's Python server) accept it; for
/// them the probe is skipped and only the compressed and uncompressed calls are made.</param>
/// <param name="CallTimeout">Upper bound of every call that is not about deadlines, so a hung
/// server fails the case instead of hanging the run.</param>
internal sealed record InteropClientOptions(bool SkipCompressionProbe = false, TimeSpan? CallTimeout = null)
{
    public TimeSpan EffectiveCallTimeout => CallTimeout ?? TimeSpan.FromSeconds(20);
}
