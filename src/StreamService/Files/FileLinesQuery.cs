using StreamService.Files.Stages;

namespace StreamService.Files;

/// <summary>A validated StreamLines request.</summary>
internal sealed record FileLinesQuery(string Root, string Path, FileStart Start, bool Follow, LinePipeline Pipeline);
