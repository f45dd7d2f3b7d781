namespace StreamService.Calls;

/// <summary>What the gate adds to grpc-dotnet's <c>GrpcServiceOptions</c>, read from the same
/// section, <c>StreamGrpc:Grpc</c>.</summary>
internal sealed class StreamCallOptions
{
    /// <summary>Longest time one response write may wait for the client to read (HTTP/2 flow
    /// control) before the call ends with RESOURCE_EXHAUSTED; null waits forever. A reader that has
    /// stopped reading would otherwise hold the handler, its source and its buffers indefinitely.</summary>
    public TimeSpan? StalledConsumerTimeout { get; set; }
}
