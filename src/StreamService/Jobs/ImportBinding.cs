namespace StreamService.Jobs;

/// <summary>One target column and where its value comes from.</summary>
/// <param name="FieldIndex">CSV: 0-based field position.</param>
/// <param name="Property">NDJSON: property name.</param>
internal sealed record ImportBinding(ImportTargetColumn Column, int FieldIndex, string Property);
