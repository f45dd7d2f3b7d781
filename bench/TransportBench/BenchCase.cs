namespace StreamGrpc.Bench.Transport;

/// <summary>One message size to stream, and the share of the plain HTTP/2 ceiling grpc-dotnet must reach.</summary>
internal sealed record BenchCase(string Name, int MessageSize, int Count, double TargetPercentOfCeiling);
