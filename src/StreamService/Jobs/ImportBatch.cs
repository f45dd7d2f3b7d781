namespace StreamService.Jobs;

/// <summary>Records converted by an import's reading side, handed to its COPY side: the accepted
/// rows' values (in the writers' slots 0..<see cref="Rows"/>-1, in file order) and the rejects met
/// among them. Reused: a job keeps a few and passes them back and forth, so memory stays bounded by
/// <see cref="Capacity"/> records per batch.</summary>
internal sealed class ImportBatch(ImportColumnWriter[] writers, int capacity)
{
    public ImportColumnWriter[] Writers { get; } = writers;

    public int Capacity { get; } = capacity;

    /// <summary>Accepted records, each in the slot of its index.</summary>
    public int Rows { get; set; }

    /// <summary>Rejected records, in file order.</summary>
    public List<ImportReject> Rejects { get; } = [];

    /// <summary>The file offset the reading side had reached when the batch was handed over.</summary>
    public long BytesRead { get; set; }

    /// <summary>Whether it must be handed over before another record is added.</summary>
    public bool IsFull => Rows == Capacity || Rejects.Count == Capacity;

    public bool IsEmpty => Rows == 0 && Rejects.Count == 0;

    public void Clear()
    {
        Rows = 0;
        Rejects.Clear();
    }
}

/// <summary>A record that could not be imported: where it starts and why.</summary>
internal readonly record struct ImportReject(long LineNumber, string Reason);
