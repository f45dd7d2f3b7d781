using System.Text.Json;

namespace StreamGrpc.Bench.Transport;

/// <summary>Writes the medians and every run as JSON for tooling.</summary>
internal static class ResultJson
{
    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static async Task WriteAsync(string path, IReadOnlyList<CaseSummary> summaries, BenchOptions options, BenchEnvironment environment)
    {
        var document = new
        {
            benchmark = "transport",
            environment,
            options.Repetitions,
            options.Warmup,
            results = summaries,
        };

        var file = File.Create(path);
        await using (file.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(file, document, SerializerOptions).ConfigureAwait(false);
        }
    }
}
