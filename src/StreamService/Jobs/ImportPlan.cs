using StreamGrpc.V1;
using StreamService.Files.Stages;

namespace StreamService.Jobs;

/// <summary>A validated import request: everything a runner needs, checked before the job exists.</summary>
internal sealed record ImportPlan(
    StartImportRequest Request,
    string Root,
    string Path,
    ImportFormat Format,
    ImportTarget Target,
    IReadOnlyList<ImportBinding> Bindings,
    CsvDialect Csv,
    int CsvHeaderFieldCount,
    LinePipeline Pipeline,
    long MaxRejects,
    long TotalBytes)
{
    public string TargetName => Target.Name;

    /// <summary>A fresh reader for the format (readers hold per-record state; one per job).</summary>
    public ImportRecordReader CreateReader() => Format == ImportFormat.Csv
        ? new CsvImportRecordReader(Csv, Bindings.Select(b => b.FieldIndex).ToArray(), CsvHeaderFieldCount)
        : new NdjsonImportRecordReader(Bindings.Select(b => b.Property).ToArray(), Bindings.Select(b => b.Column.Type == ColumnType.Json).ToArray());

    /// <summary>Writers for every binding, each with <paramref name="capacity"/> slots (one batch).</summary>
    public ImportColumnWriter[] CreateWriters(int capacity) => Bindings.Select(b => ImportColumnWriters.Create(b.Column, capacity)).ToArray();
}
