namespace LoadBench;

/// <summary>What one stream did: time to its first message (null if none), whether it was still
/// open and healthy when the measurement ended, the status of a failure, and whether the bench's own
/// cancel at the stop surfaced as UNAVAILABLE instead of CANCELLED (<see cref="CutByOwnCancel"/>).</summary>
internal sealed record StreamOutcome(StreamKind Kind, TimeSpan? FirstMessage, bool Held, string? Error, bool CutByOwnCancel = false);
