using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>A validated filter: a catalogue column, an operator that applies to it and typed operands.</summary>
internal sealed record RowFilter(DatasetColumn Column, FilterOperator Operator, IReadOnlyList<SqlValue> Values);
