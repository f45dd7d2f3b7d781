using System.Diagnostics;
using Grpc.Core;
using System.Text.Json;
using FilesBench;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using StreamClient;
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
    var previousBaseline = new List<RunResult>();
    var endToEnd = new List<RunResult>();
    var typedBatches = new List<RunResult>();
    var generatedClient = new List<RunResult>();
    long peakRss;
    await using (var service = await ServiceProcess.StartAsync(serviceDll, "bench", dataDirectory))
    {
        Console.Error.WriteLine($"service pid {service.ProcessId}, bench pid {Environment.ProcessId}, load {LoadAverage()}");
        using var channel = GrpcChannel.ForAddress(service.Address);
        var client = new FileLines.FileLinesClient(channel);
        using var typedClient = new StreamGrpcClient(channel, new StreamGrpcClientOptions { Address = service.Address });
        for (var run = 0; run < options.Runs; run++)
        {
            inProcess.Add(await Measured(service, () => ReadInProcessAsync(filesOptions)));
            Console.Error.WriteLine($"run {run + 1}: in-process {inProcess[^1].LinesPerSecond:N0} lines/s, CPU s per 1M lines: bench {inProcess[^1].ClientCpuPerMillion:F3}, load {LoadAverage()}");
            previousBaseline.Add(await Measured(service, () => ReadInProcessAsLineBatchesAsync(filesOptions)));
            Console.Error.WriteLine($"run {run + 1}: in-process as LineBatch objects {previousBaseline[^1].LinesPerSecond:N0} lines/s, CPU s per 1M lines: bench {previousBaseline[^1].ClientCpuPerMillion:F3}");
            endToEnd.Add(await Measured(service, () => ReadEndToEndAsync(typedClient)));
            Console.Error.WriteLine($"run {run + 1}: end-to-end (typed client) {endToEnd[^1].LinesPerSecond:N0} lines/s, CPU s per 1M lines: service {endToEnd[^1].ServiceCpuPerMillion:F3}, client {endToEnd[^1].ClientCpuPerMillion:F3}, load {LoadAverage()}");
            typedBatches.Add(await Measured(service, () => ReadEndToEndBatchesAsync(typedClient)));
            Console.Error.WriteLine($"run {run + 1}: end-to-end (typed client, batches) {typedBatches[^1].LinesPerSecond:N0} lines/s, CPU s per 1M lines: service {typedBatches[^1].ServiceCpuPerMillion:F3}, client {typedBatches[^1].ClientCpuPerMillion:F3}, load {LoadAverage()}");
            generatedClient.Add(await Measured(service, () => ReadEndToEndGeneratedAsync(client)));
            Console.Error.WriteLine($"run {run + 1}: end-to-end (generated client) {generatedClient[^1].LinesPerSecond:N0} lines/s, CPU s per 1M lines: service {generatedClient[^1].ServiceCpuPerMillion:F3}, client {generatedClient[^1].ClientCpuPerMillion:F3}, load {LoadAverage()}");
        }

        peakRss = service.PeakRssBytes;
    }

    var bestIn = inProcess.MaxBy(r => r.LinesPerSecond)!;
    var bestE2e = endToEnd.MaxBy(r => r.LinesPerSecond)!;
    var bestPrevious = previousBaseline.MaxBy(r => r.LinesPerSecond)!;
    var bestBatches = typedBatches.MaxBy(r => r.LinesPerSecond)!;
    var bestGenerated = generatedClient.MaxBy(r => r.LinesPerSecond)!;
    if (new[] { bestE2e, bestBatches, bestGenerated }.Any(r => r.Lines != bestIn.Lines || r.Chars != bestIn.Chars))
    {
        Console.Error.WriteLine($"Line or character counts differ: in-process {bestIn.Lines}/{bestIn.Chars}, typed client {bestE2e.Lines}/{bestE2e.Chars}, batches {bestBatches.Lines}/{bestBatches.Chars}, generated client {bestGenerated.Lines}/{bestGenerated.Chars}.");
        return 2;
    }

    var ratio = bestE2e.LinesPerSecond / bestIn.LinesPerSecond;
    Console.WriteLine($"FilesBench: {fileBytes / 1048576} MiB, {bestIn.Lines:N0} lines, best of {options.Runs} run(s), {Environment.ProcessorCount} cores");
    Console.WriteLine();
    Console.WriteLine("| mode                          |        lines/s |   MiB/s | seconds |");
    Console.WriteLine("| ----------------------------- | -------------: | ------: | ------: |");
    Console.WriteLine($"| in-process (lines as strings) | {bestIn.LinesPerSecond,14:N0} | {fileBytes / 1048576.0 / bestIn.Seconds,7:F1} | {bestIn.Seconds,7:F2} |");
    Console.WriteLine($"| in-process, as LineBatch objs | {bestPrevious.LinesPerSecond,14:N0} | {fileBytes / 1048576.0 / bestPrevious.Seconds,7:F1} | {bestPrevious.Seconds,7:F2} |");
    Console.WriteLine($"| end-to-end (typed client)     | {bestE2e.LinesPerSecond,14:N0} | {fileBytes / 1048576.0 / bestE2e.Seconds,7:F1} | {bestE2e.Seconds,7:F2} |");
    Console.WriteLine($"| end-to-end (typed, batches)   | {bestBatches.LinesPerSecond,14:N0} | {fileBytes / 1048576.0 / bestBatches.Seconds,7:F1} | {bestBatches.Seconds,7:F2} |");
    Console.WriteLine($"| end-to-end (generated client) | {bestGenerated.LinesPerSecond,14:N0} | {fileBytes / 1048576.0 / bestGenerated.Seconds,7:F1} | {bestGenerated.Seconds,7:F2} |");
    Console.WriteLine();
    Console.WriteLine($"end-to-end (typed client) / in-process: {ratio:P0} (target >= 80%, issue 16)");
    Console.WriteLine($"end-to-end (typed client, batches) / in-process: {bestBatches.LinesPerSecond / bestIn.LinesPerSecond:P0}");
    Console.WriteLine($"end-to-end (generated client) / in-process: {bestGenerated.LinesPerSecond / bestIn.LinesPerSecond:P0}");
    Console.WriteLine($"end-to-end (typed client) / in-process as LineBatch objects (the baseline before issue 16's lines work): {bestE2e.LinesPerSecond / bestPrevious.LinesPerSecond:P0}");
    Console.WriteLine($"service peak RSS (VmHWM): {peakRss / 1048576.0:F0} MiB (target < 150 MiB)");
    Console.WriteLine();
    Console.WriteLine(options.Runs > 1
        ? "CPU seconds per 1M lines, median [min-max] over runs 2-N (run 1 warms the JIT up; the figure that holds on a shared machine):"
        : "CPU seconds per 1M lines (one run, JIT warm-up included):");
    Console.WriteLine($"  in-process (the bench process):   {Spread(inProcess, r => r.ClientCpuPerMillion)}");
    Console.WriteLine($"  in-process as LineBatch objects:  {Spread(previousBaseline, r => r.ClientCpuPerMillion)}");
    Console.WriteLine($"  end-to-end service process:       {Spread(endToEnd, r => r.ServiceCpuPerMillion)}");
    Console.WriteLine($"  end-to-end client (bench process): {Spread(endToEnd, r => r.ClientCpuPerMillion)}");
    Console.WriteLine($"  end-to-end service + client:      {Spread(endToEnd, r => r.ServiceCpuPerMillion + r.ClientCpuPerMillion)}");
    Console.WriteLine($"  typed client, batches: service:   {Spread(typedBatches, r => r.ServiceCpuPerMillion)}");
    Console.WriteLine($"  typed client, batches: client:    {Spread(typedBatches, r => r.ClientCpuPerMillion)}");
    Console.WriteLine($"  generated client: service:        {Spread(generatedClient, r => r.ServiceCpuPerMillion)}");
    Console.WriteLine($"  generated client: client:         {Spread(generatedClient, r => r.ClientCpuPerMillion)}");
    Console.WriteLine($"load average at the end: {LoadAverage()}");

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
            inProcessAsLineBatchesLinesPerSecond = bestPrevious.LinesPerSecond,
            servicePeakRssBytes = peakRss,
            inProcessCpuSecondsPerMillion = inProcess.Select(r => r.ClientCpuPerMillion).ToArray(),
            serviceCpuSecondsPerMillion = endToEnd.Select(r => r.ServiceCpuPerMillion).ToArray(),
            clientCpuSecondsPerMillion = endToEnd.Select(r => r.ClientCpuPerMillion).ToArray(),
            batchesLinesPerSecond = bestBatches.LinesPerSecond,
            batchesServiceCpuSecondsPerMillion = typedBatches.Select(r => r.ServiceCpuPerMillion).ToArray(),
            batchesClientCpuSecondsPerMillion = typedBatches.Select(r => r.ClientCpuPerMillion).ToArray(),
            generatedClientLinesPerSecond = bestGenerated.LinesPerSecond,
            generatedClientServiceCpuSecondsPerMillion = generatedClient.Select(r => r.ServiceCpuPerMillion).ToArray(),
            generatedClientCpuSecondsPerMillion = generatedClient.Select(r => r.ClientCpuPerMillion).ToArray(),
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

// The baseline the end-to-end figure is compared with: an application reading the file itself,
// through the service's own source (sandboxed open, line reader, an empty stage chain) with every
// line's text materialised as a string, as the gRPC client's parser does. No batching and no
// encoding: those exist only for the wire.
static async Task<RunResult> ReadInProcessAsync(FilesOptions options)
{
    var stopwatch = Stopwatch.StartNew();
    var (notifier, source) = await OpenBenchFileAsync(options);
    using var ownedNotifier = notifier;
    await using var ownedSource = source;
    long lines = 0, chars = 0;
    await foreach (var item in new LinePipeline([]).Apply(source.ReadAsync()))
    {
        if (item.IsLine)
        {
            lines++;
            chars += item.Text.Length;
        }
    }

    return new RunResult(lines, chars, stopwatch.Elapsed.TotalSeconds);
}

// The baseline FilesBench used before (the service's pipeline of then without the wire): the lines
// as strings grouped into generated LineBatch/FileLine objects, batches bounded as the service
// bounds them (4,000 lines or 1 MiB of text + 32 bytes a line). Printed for comparison with the
// figures recorded before; not the baseline of the ratio.
static async Task<RunResult> ReadInProcessAsLineBatchesAsync(FilesOptions options)
{
    var stopwatch = Stopwatch.StartNew();
    var (notifier, source) = await OpenBenchFileAsync(options);
    using var ownedNotifier = notifier;
    await using var ownedSource = source;
    long lines = 0, chars = 0;
    var batch = new LineBatch();
    var bytes = 0;
    await foreach (var item in new LinePipeline([]).Apply(source.ReadAsync()))
    {
        if (!item.IsLine)
        {
            continue;
        }

        batch.Lines.Add(new FileLine { LineNumber = item.Number, Offset = item.Offset, Text = item.Text, Truncated = item.Truncated });
        bytes += System.Text.Encoding.UTF8.GetByteCount(item.Text) + 32;
        if (batch.Lines.Count >= options.MaxBatchLines || bytes >= options.MaxBatchBytes)
        {
            batch.Next = new FilePosition { Offset = item.NextOffset, LineNumber = item.Number + 1 };
            (lines, chars) = Count(batch, lines, chars);
            batch = new LineBatch();
            bytes = 0;
        }
    }

    (lines, chars) = Count(batch, lines, chars);
    return new RunResult(lines, chars, stopwatch.Elapsed.TotalSeconds);

    static (long, long) Count(LineBatch batch, long lines, long chars)
    {
        foreach (var line in batch.Lines)
        {
            chars += line.Text.Length;
        }

        return (lines + batch.Lines.Count, chars);
    }
}

static async Task<RunResult> Measured(ServiceProcess service, Func<Task<RunResult>> run)
{
    var self0 = Process.GetCurrentProcess().TotalProcessorTime;
    var service0 = service.CpuTime;
    var result = await run();
    var self = (Process.GetCurrentProcess().TotalProcessorTime - self0).TotalSeconds;
    var served = (service.CpuTime - service0).TotalSeconds;
    return result with { ClientCpuSeconds = self, ServiceCpuSeconds = served };
}

static string Spread(List<RunResult> runs, Func<RunResult, double> value)
{
    var values = runs.Skip(runs.Count > 1 ? 1 : 0).Select(value).Order().ToArray();
    return $"{values[values.Length / 2]:F3} [{values[0]:F3}-{values[^1]:F3}]";
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

// End to end as an application calls it: the typed client's StreamLinesAsync, one FileLine per
// line (resume bookkeeping included), every line's text read. The ratio's figure.
static async Task<RunResult> ReadEndToEndAsync(StreamGrpcClient client)
{
    var stopwatch = Stopwatch.StartNew();
    long lines = 0, chars = 0;
    await foreach (var line in client.StreamLinesAsync(new LinesQuery("bench", "bench.log")))
    {
        lines++;
        chars += line.Text.Length;
    }

    return new RunResult(lines, chars, stopwatch.Elapsed.TotalSeconds);
}

// The typed client's batch API (StreamLineBatchesAsync): one asynchronous step per batch.
static async Task<RunResult> ReadEndToEndBatchesAsync(StreamGrpcClient client)
{
    var stopwatch = Stopwatch.StartNew();
    long lines = 0, chars = 0;
    await foreach (var batch in client.StreamLineBatchesAsync(new LinesQuery("bench", "bench.log")))
    {
        lines += batch.Count;
        foreach (var line in batch)
        {
            chars += line.Text.Length;
        }
    }

    return new RunResult(lines, chars, stopwatch.Elapsed.TotalSeconds);
}

// The same stream read with the generated client and parser (LineBatch messages), the figure
// FilesBench measured as end to end before the typed client decoded lines itself.
static async Task<RunResult> ReadEndToEndGeneratedAsync(FileLines.FileLinesClient client)
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

// The bench file through the service's own sandboxed open, as the in-process baselines read it.
static async Task<(FileChangeNotifier Notifier, FileLineSource Source)> OpenBenchFileAsync(FilesOptions options)
{
    var wrapped = Microsoft.Extensions.Options.Options.Create(options);
    var notifier = new FileChangeNotifier(NullLogger<FileChangeNotifier>.Instance);
    var factory = new FileLineSourceFactory(new SandboxedPathResolver(new FileRoots(wrapped)), notifier, wrapped, NullLogger<FileLineSource>.Instance);
    return (notifier, await factory.OpenAsync("bench", "bench.log", FileStart.Beginning, follow: false, CancellationToken.None));
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

    /// <summary>CPU of the bench process during the run: the reader in-process, the client end to end.</summary>
    public double ClientCpuSeconds { get; init; }

    /// <summary>CPU of the service process during the run (≈0 in-process).</summary>
    public double ServiceCpuSeconds { get; init; }

    public double ClientCpuPerMillion => ClientCpuSeconds * 1e6 / Lines;

    public double ServiceCpuPerMillion => ServiceCpuSeconds * 1e6 / Lines;
}
