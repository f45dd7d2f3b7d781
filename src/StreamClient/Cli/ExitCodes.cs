using Grpc.Core;

namespace StreamClient.Cli;

/// <summary>Process exit codes: 0 success, 1 a service that answers but is not SERVING (<c>health</c>), 2 bad usage, 64 + gRPC status code for a refused or
/// failed call (so scripts can tell INVALID_ARGUMENT = 67 from NOT_FOUND = 69 and UNAVAILABLE = 78),
/// and 128 + signal number when a signal ended the command, as a shell reports it: 130 SIGINT
/// (Ctrl+C), 143 SIGTERM, 129 SIGHUP, 141 SIGPIPE (stdout's reader went away, as for any Unix
/// writer in a pipeline whose reader exited).</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int NotServing = 1;
    public const int Usage = 2;
    public const int StatusBase = 64;
    public const int HungUp = 128 + 1;
    public const int Interrupted = 128 + 2;
    public const int OutputClosed = 128 + 13;
    public const int Terminated = 128 + 15;

    public static int For(StatusCode code) => code == StatusCode.OK ? Success : StatusBase + (int)code;
}
