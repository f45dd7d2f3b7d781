using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StreamService.Calls;
using StreamService.Observability;

// Cost of the call gate's response writer (CountingPipeWriter: message/byte counting and the
// drain-safe flush) on the write path, against the bare pipe writer it wraps. Each iteration
// writes one length-prefixed gRPC message and flushes, as the runtime does; a reader drains the
// pipe concurrently. Usage: dotnet run -c Release --project bench/GateBench [-- --json]
const string Usage = """
    usage: GateBench [--json]
      --json   also print the results as JSON after the table
    """;

if (args is ["--help" or "-h" or "-?"])
{
    Console.WriteLine(Usage);
    return 0;
}

if (args.FirstOrDefault(a => a != "--json") is { } unknown)
{
    Console.Error.WriteLine($"error: unknown argument '{unknown}'");
    Console.Error.WriteLine(Usage);
    return 2;
}

const int Messages = 2_000_000;
var payloadSizes = new[] { 64, 1024, 16 * 1024 };

using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
using var metrics = new StreamMetrics(services.GetRequiredService<IMeterFactory>());
var results = new List<Result>();
foreach (var size in payloadSizes)
{
    var count = Math.Max(50_000, Messages / Math.Max(1, size / 64));
    await RunAsync("bare pipe writer", size, 10_000, wrap: false);
    results.Add(await RunAsync("bare pipe writer", size, count, wrap: false));
    await RunAsync("gate writer", size, 10_000, wrap: true);
    results.Add(await RunAsync("gate writer", size, count, wrap: true));
}

Console.WriteLine($"{"writer",-18} {"payload B",10} {"messages",10} {"ns/msg",8} {"alloc B/msg (process)",12}");
foreach (var r in results)
{
    Console.WriteLine($"{r.Writer,-18} {r.PayloadBytes,10} {r.Messages,10} {r.NanosecondsPerMessage,8:F1} {r.AllocatedBytesPerMessage,12:F2}");
}

if (args.Contains("--json"))
{
    Console.WriteLine(JsonSerializer.Serialize(results));
}

return 0;

async Task<Result> RunAsync(string name, int payloadSize, int count, bool wrap)
{
    var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
    var reader = Task.Run(async () =>
    {
        while (true)
        {
            var read = await pipe.Reader.ReadAsync();
            pipe.Reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return;
            }
        }
    });

    var call = new StreamCall("bench", "/bench/Bench", "bench", Stopwatch.GetTimestamp());
    PipeWriter writer = wrap ? new CountingPipeWriter(pipe.Writer, call, metrics) : pipe.Writer;
    var payload = new byte[payloadSize];
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var span = writer.GetSpan(5 + payloadSize);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)payloadSize);
        payload.CopyTo(span[5..]);
        writer.Advance(5 + payloadSize);
        await writer.FlushAsync();
    }

    watch.Stop();
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    await writer.CompleteAsync();
    await reader;
    if (wrap && call.Messages != count)
    {
        throw new InvalidOperationException($"counted {call.Messages} messages, wrote {count}");
    }

    return new Result(name, payloadSize, count, watch.Elapsed.TotalNanoseconds / count, (double)allocated / count);
}

internal sealed record Result(string Writer, int PayloadBytes, int Messages, double NanosecondsPerMessage, double AllocatedBytesPerMessage);
