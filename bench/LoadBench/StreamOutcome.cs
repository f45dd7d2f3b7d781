namespace LoadBench;

/// <summary>What one stream did: time to its first message (null if none), whether it was still
/// open and healthy when the measurement ended, and the status of a failure.</summary>
internal sealed record StreamOutcome(StreamKind Kind, TimeSpan? FirstMessage, bool Held, string? Error);
