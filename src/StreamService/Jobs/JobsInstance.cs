using Microsoft.Extensions.Options;

namespace StreamService.Jobs;

/// <summary>Who this process is in the jobs table: the configured instance id (stable across
/// restarts, so a restart recognises the jobs its previous process left running) and an incarnation
/// drawn at start (so it tells its own jobs from those of its previous process).</summary>
internal sealed class JobsInstance(IOptions<JobsOptions> options)
{
    public string Id { get; } = options.Value.EffectiveInstanceId;

    public Guid Incarnation { get; } = Guid.NewGuid();
}
