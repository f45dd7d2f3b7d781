using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Where a resumed stream continues: after the row with key <paramref name="Key"/> (empty
/// for the first row), with <paramref name="Delivered"/> rows already delivered (counts against
/// the request's limit).</summary>
internal sealed record ResumePosition(long Delivered, IReadOnlyList<Value> Key)
{
    public static ResumePosition Start { get; } = new(0, []);
}
