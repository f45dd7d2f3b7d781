using System.Diagnostics;
using Grpc.Core;
using System.Text.Json;
using FilesBench;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using StreamGrpc.V1;
using StreamService.Files;
using StreamService.Files.Stages;

const string Usage = """
    usage: FilesBench [--size-mb N] [--runs N] [--keep] [--json PATH]
      --size-mb N   size of the generated log file in MiB (default 2048; reused when big enough)
      --runs N      runs of each mode (default 1)
      --keep        keep the generated file under bench/out/files
      --json PATH   also write the results as JSON
    Needs the Release build of src/StreamService.
    """;

if (!StreamGrpc.Bench.BenchCommandLine.TryParse(args, Usage, BenchOptions.Parse, out var options, out var exitCode))
{
    return exitCode;
}
var repoRoot = FindRepoRoot();
var dataDirectory = Path.Combine(repoRoot, "bench", "out", "files");
var serviceDll = Path.Combine(repoRoot, "src", "StreamService", "bin", "Release", "net10.0", "StreamService.dll");
if (!File.Exists(serviceDll))
{
    Console.Error.WriteLine($"Build the service first: dotnet build src/StreamService -c Release ({serviceDll} is missing).");
    return 1;
}

Directory.CreateDirectory(dataDirectory);
var file = Path.Combine(dataDirectory, "bench.log");
var targetBytes = options.SizeMegabytes * 1024 * 1024;
long fileBytes;
if (File.Exists(file) && new FileInfo(file).Length >= targetBytes)
{
    fileBytes = new FileInfo(file).Length;
    Console.Error.WriteLine($"Reusing {file} ({fileBytes / 1048576} MiB).");
}
else
{
    var generated = Stopwatch.StartNew();
    (fileBytes, _) = LogFileGenerator.Generate(file, targetBytes);
    Console.Error.WriteLine($"Generated {fileBytes / 1048576} MiB in {generated.Elapsed.TotalSeconds:F1} s.");
}

try
{
    var filesOptions = new FilesOptions { Roots = { ["bench"] = dataDirectory } };
    var inProcess = new List<RunResult>();
    var endToEnd = new List<RunResult>();
    long peakRss;
    await using (var service = await ServiceProcess.StartAsync(serviceDll, "bench", dataDirectory))
    {
        using var channel = GrpcChannel.ForAddress(service.Address);
        var client = new FileLines.FileLinesClient(channel);
        for (var run = 0; run < options.Runs; run++)
        {
            inProcess.Add(await ReadInProcessAsync(filesOptions));
            Console.Error.WriteLine($"run {run + 1}: in-process {inProcess[^1].LinesPerSecond:N0} lines/s");
            endToEnd.Add(await ReadEndToEndAsync(client));
            Console.Error.WriteLine($"run {run + 1}: end-to-end {endToEnd[^1].LinesPerSecond:N0} lines/s");
        }

        peakRss = service.PeakRssBytes;
    }

    var bestIn = inProcess.MaxBy(r => r.LinesPerSecond)!;
    var bestE2e = endToEnd.MaxBy(r => r.LinesPerSecond)!;
    if (bestIn.Lines != bestE2e.Lines)
    {
        Console.Error.WriteLine($"Line counts differ: in-process {bestIn.Lines}, end-to-end {bestE2e.Lines}.");
        return 2;
    }

    var ratio = bestE2e.LinesPerSecond / bestIn.LinesPerSecond;
    Console.WriteLine($"FilesBench: {fileBytes / 1048576} MiB, {bestIn.Lines:N0} lines, best of {options.Runs} run(s), {Environment.ProcessorCount} cores");
    Console.WriteLine();
    Console.WriteLine("| mode                          |        lines/s |   MiB/s | seconds |");
    Console.WriteLine("| ----------------------------- | -------------: | ------: | ------: |");
    Console.WriteLine($"| in-process (source + batches) | {bestIn.LinesPerSecond,14:N0} | {fileBytes / 1048576.0 / bestIn.Seconds,7:F1} | {bestIn.Seconds,7:F2} |");
    Console.WriteLine($"| end-to-end (gRPC client)      | {bestE2e.LinesPerSecond,14:N0} | {fileBytes / 1048576.0 / bestE2e.Seconds,7:F1} | {bestE2e.Seconds,7:F2} |");
    Console.WriteLine();
    Console.WriteLine($"end-to-end / in-process: {ratio:P0} (target >= 60%)");
    Console.WriteLine($"service peak RSS (VmHWM): {peakRss / 1048576.0:F0} MiB (target < 150 MiB)");

    if (options.JsonPath is not null)
    {
        await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(new
        {
            fileBytes,
            lines = bestIn.Lines,
            runs = options.Runs,
            inProcessLinesPerSecond = bestIn.LinesPerSecond,
            endToEndLinesPerSecond = bestE2e.LinesPerSecond,
            ratio,
            servicePeakRssBytes = peakRss,
        }));
    }

    return 0;
}
finally
{
    if (!options.Keep)
    {
        File.Delete(file);
    }
}

// The service's own pipeline (sandboxed open, line reader, batching into LineBatch messages)
// without the wire: the baseline the end-to-end figure is compared with.
static async Task<RunResult> ReadInProcessAsync(FilesOptions options)
{
    var wrapped = Microsoft.Extensions.Options.Options.Create(options);
    using var notifier = new FileChangeNotifier(NullLogger<FileChangeNotifier>.Instance);
    var factory = new FileLineSourceFactory(new SandboxedPathResolver(new FileRoots(wrapped)), notifier, wrapped, NullLogger<FileLineSource>.Instance);
    var stopwatch = Stopwatch.StartNew();
    await using var source = await factory.OpenAsync("bench", "bench.log", FileStart.Beginning, follow: false, CancellationToken.None);
    long lines = 0, chars = 0;
    var batcher = new LineBatcher(options.MaxBatchLines, options.MaxBatchBytes);
    await foreach (var batch in batcher.BatchAsync(new LinePipeline([]).Apply(source.ReadAsync())))
    {
        lines += batch.Lines.Count;
        foreach (var line in batch.Lines)
        {
            chars += line.Text.Length;
        }
    }

    return new RunResult(lines, chars, stopwatch.Elapsed.TotalSeconds);
}

static async Task<RunResult> ReadEndToEndAsync(FileLines.FileLinesClient client)
{
    var stopwatch = Stopwatch.StartNew();
    using var call = client.StreamLines(new StreamLinesRequest { Root = "bench", Path = "bench.log" });
    long lines = 0, chars = 0;
    await foreach (var batch in call.ResponseStream.ReadAllAsync())
    {
        lines += batch.Lines.Count;
        foreach (var line in batch.Lines)
        {
            chars += line.Text.Length;
        }
    }

    return new RunResult(lines, chars, stopwatch.Elapsed.TotalSeconds);
}

static string FindRepoRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "StreamGrpc.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository.");
}

internal sealed record RunResult(long Lines, long Chars, double Seconds)
{
    public double LinesPerSecond => Lines / Seconds;
}
