namespace StreamService.Jobs;

/// <summary>Changes to a job's row written together with one of its events; null leaves a field.</summary>
internal readonly record struct JobUpdate(
    JobStateValue? State = null,
    long? BytesRead = null,
    long? RowsImported = null,
    long? RowsRejected = null,
    string? Message = null);
