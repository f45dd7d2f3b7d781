using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>A row read from the database: the values to send, and its key values for the resume
/// token (the same instances when key columns are requested, extra ones when not).</summary>
internal readonly record struct SourceRow(Row Row, Value[] Key);
