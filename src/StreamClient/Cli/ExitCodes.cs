using Grpc.Core;

namespace StreamClient.Cli;

/// <summary>Process exit codes: 0 success, 2 bad usage, 64 + gRPC status code for a failed call
/// (so scripts can tell NOT_FOUND = 69 from UNAVAILABLE = 78), 130 when interrupted (Ctrl+C).</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Usage = 2;
    public const int StatusBase = 64;
    public const int Interrupted = 130;

    public static int For(StatusCode code) => code == StatusCode.OK ? Success : StatusBase + (int)code;
}
