namespace StreamGrpc.Bench.Transport;

/// <summary>A way of receiving <c>count</c> chunks of <c>messageSize</c> bytes from the server.</summary>
internal interface ITransportClient : IDisposable
{
    string Name { get; }

    Task<RunResult> RunAsync(int messageSize, int count, CancellationToken cancellationToken);
}
