using Grpc.Core;
using StreamGrpc.V1;

namespace StreamService;

/// <summary>
/// The trailers a drained (or otherwise interrupted) stream carries so any client, not only
/// StreamClient, can continue elsewhere: rows <c>streamgrpc-resume-token</c> (pass as resume_token);
/// files <c>streamgrpc-resume-offset</c> and <c>streamgrpc-resume-line</c> (pass as start_position);
/// job watches <c>streamgrpc-resume-seq</c> (the last sequence number delivered).
/// </summary>
internal static class ResumeTrailers
{
    public const string Token = "streamgrpc-resume-token";
    public const string Offset = "streamgrpc-resume-offset";
    public const string Line = "streamgrpc-resume-line";
    public const string Sequence = "streamgrpc-resume-seq";

    public static void AddToken(Metadata trailers, string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            trailers.Add(Token, token);
        }
    }

    public static void AddFilePosition(Metadata trailers, FilePosition? next)
    {
        if (next is not null)
        {
            trailers.Add(Offset, next.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
            trailers.Add(Line, next.LineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static void AddSequence(Metadata trailers, long? lastSequence)
    {
        if (lastSequence is { } seq)
        {
            trailers.Add(Sequence, seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
