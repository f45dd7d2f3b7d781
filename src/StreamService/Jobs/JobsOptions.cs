namespace StreamService.Jobs;

/// <summary>Configuration of import jobs (section <c>StreamGrpc:Jobs</c>); validated at start-up by
/// <see cref="JobsOptionsValidator"/>.</summary>
internal sealed class JobsOptions
{
    public const string SectionName = "StreamGrpc:Jobs";

    /// <summary>Import targets by public name. Only these tables can be written to.</summary>
    public Dictionary<string, JobTableOptions> Tables { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Jobs that run at the same time on this instance.</summary>
    public int MaxConcurrentJobs { get; set; } = 2;

    /// <summary>Jobs accepted and waiting for a runner slot on this instance; more are refused
    /// with RESOURCE_EXHAUSTED.</summary>
    public int MaxQueuedJobs { get; set; } = 16;

    /// <summary>Least time between two progress events of a job (the first and the final 100% are
    /// always sent).</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Rejected records tolerated when the request does not say.</summary>
    public long DefaultMaxRejects { get; set; } = 1000;

    /// <summary>Largest reject limit a request may ask for.</summary>
    public long MaxRejectsLimit { get; set; } = 1_000_000;

    /// <summary>Rejects reported one by one as events; later ones are only counted.</summary>
    public int MaxRejectEvents { get; set; } = 100;

    /// <summary>Longest CSV record (lines joined inside a quoted field), in characters.</summary>
    public int MaxRecordChars { get; set; } = 1024 * 1024;

    /// <summary>This instance's name in the jobs table. Jobs it owned that are still marked running
    /// when it starts again were interrupted by a restart and are marked failed. Every replica needs
    /// its own; empty means the machine name.</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>How often a runner confirms in the database that its jobs are alive.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A queued or running job whose owner has not confirmed it for this long is marked
    /// failed by any instance (its owner crashed or lost the database).</summary>
    public TimeSpan OrphanTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Watchers re-read the job's events at least this often, in case a notification was
    /// lost (e.g. while the listener reconnected).</summary>
    public TimeSpan WatchPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Creates the demo target table <c>public.people</c> at start-up (for run.sh).</summary>
    public bool CreateDemoTable { get; set; }

    /// <summary>Jobs returned by List when the request does not say.</summary>
    public int DefaultListLimit { get; set; } = 50;

    /// <summary>The effective instance id.</summary>
    public string EffectiveInstanceId => string.IsNullOrWhiteSpace(InstanceId) ? Environment.MachineName : InstanceId.Trim();
}
