namespace StreamGrpc.Bench.Transport;

/// <summary>One streaming run as seen by the client, with the server's own figures.</summary>
/// <param name="Messages">Messages (chunks) received.</param>
/// <param name="BodyBytes">Response body bytes received (frames including their 5-byte prefixes).</param>
/// <param name="Elapsed">Client wall time from sending the request to the end of the stream.</param>
/// <param name="ClientCpu">CPU time of the client process over the run.</param>
/// <param name="Server">The server process's figures for its streaming loop.</param>
internal sealed record RunResult(long Messages, long BodyBytes, TimeSpan Elapsed, TimeSpan ClientCpu, ServerMeasurement Server)
{
    public double MessagesPerSecond => Messages / Elapsed.TotalSeconds;

    /// <summary>Megabytes (10^6 bytes) of response body per second.</summary>
    public double MegabytesPerSecond => BodyBytes / Elapsed.TotalSeconds / 1e6;

    public double ServerBytesAllocatedPerMessage => (double)Server.AllocatedBytes / Messages;

    public double ServerCpuMicrosecondsPerMessage => Server.CpuTime.TotalMicroseconds / Messages;

    public double ClientCpuMicrosecondsPerMessage => ClientCpu.TotalMicroseconds / Messages;
}
