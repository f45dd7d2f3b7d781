using Grpc.Core;

namespace StreamService.Jobs;

/// <summary>A refusal or failure of the jobs feature with the status the caller sees. The message
/// goes to the caller as is: it names only what the caller sent, never SQL or server paths.</summary>
internal sealed class JobsException(StatusCode code, string message) : Exception(message)
{
    public StatusCode Code { get; } = code;

    public static JobsException Invalid(string message) => new(StatusCode.InvalidArgument, message);
}
