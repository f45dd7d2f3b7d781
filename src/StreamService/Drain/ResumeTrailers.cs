using System.Globalization;
using Grpc.Core;
using StreamGrpc.V1;

namespace StreamService;

/// <summary>
/// The one place resume trailers are written. A stream the service ends early (drained, stalled,
/// its database lost) carries the point to continue from, so any client, not only StreamClient,
/// can go on elsewhere: rows <c>streamgrpc-resume-token</c> (pass as resume_token); files
/// <c>streamgrpc-resume-offset</c> and <c>streamgrpc-resume-line</c> (pass as start_position);
/// job watches <c>streamgrpc-resume-seq</c> (the last sequence number delivered: pass as
/// after_sequence).
/// </summary>
internal static class ResumeTrailers
{
    public const string Token = "streamgrpc-resume-token";
    public const string Offset = "streamgrpc-resume-offset";
    public const string Line = "streamgrpc-resume-line";
    public const string Sequence = "streamgrpc-resume-seq";

    /// <summary>Adds the trailers for <paramref name="position"/> (a resume token, a
    /// <see cref="FilePosition"/> or a job event sequence number) unless they are there already.</summary>
    public static void Add(Metadata trailers, object? position)
    {
        switch (position)
        {
            case string token:
                AddToken(trailers, token);
                break;
            case FilePosition next when trailers.Get(Offset) is null:
                trailers.Add(Offset, next.Offset.ToString(CultureInfo.InvariantCulture));
                trailers.Add(Line, next.LineNumber.ToString(CultureInfo.InvariantCulture));
                break;
            case long sequence when trailers.Get(Sequence) is null:
                trailers.Add(Sequence, sequence.ToString(CultureInfo.InvariantCulture));
                break;
        }
    }

    public static void AddToken(Metadata trailers, string? token)
    {
        if (!string.IsNullOrEmpty(token) && trailers.Get(Token) is null)
        {
            trailers.Add(Token, token);
        }
    }
}
