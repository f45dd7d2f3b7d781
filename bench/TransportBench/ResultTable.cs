using System.Globalization;

namespace StreamGrpc.Bench.Transport;

/// <summary>Prints the one result table.</summary>
internal static class ResultTable
{
    public static void Write(TextWriter output, IReadOnlyList<CaseSummary> summaries, BenchOptions options, BenchEnvironment environment)
    {
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(culture, $"Transport: server streaming over loopback h2c, one stream at a time; median of {options.Repetitions} runs after {options.Warmup} warm-up runs per case and transport."));
        output.WriteLine(string.Create(culture, $"{environment.ProcessorCount} cores, {environment.Os}, {environment.Runtime}, {environment.GrpcStack}, GC: client {GcName(environment.ClientServerGc)}, server {GcName(environment.ServerServerGc)}; load average {environment.LoadAverageAtStart ?? "n/a"} -> {environment.LoadAverageAtEnd ?? "n/a"}"));
        output.WriteLine();
        output.WriteLine("| case  | message  | transport    | messages |      msg/s |     MB/s | % of ceiling (target) | % by CPU | server B/msg | server CPU us/msg | client CPU us/msg |");
        output.WriteLine("|-------|---------:|--------------|---------:|-----------:|---------:|----------------------:|---------:|-------------:|------------------:|------------------:|");
        foreach (var s in summaries)
        {
            var ceiling = s.PercentOfCeiling is { } percent
                ? string.Create(culture, $"{percent:F1}% (>= {s.TargetPercentOfCeiling:F0}%)")
                : "ceiling";
            var byCpu = s.PercentOfCeilingByCpu is { } cpuPercent ? string.Create(culture, $"{cpuPercent:F1}%") : string.Empty;
            output.WriteLine(string.Create(culture, $"| {s.Case,-5} | {SizeText(s.MessageSize),8} | {s.Transport,-12} | {s.Messages,8:N0} | {s.MessagesPerSecond,10:N0} | {s.MegabytesPerSecond,8:N1} | {ceiling,21} | {byCpu,8} | {s.ServerBytesAllocatedPerMessage,12:N1} | {s.ServerCpuMicrosecondsPerMessage,17:N2} | {s.ClientCpuMicrosecondsPerMessage,17:N2} |"));
        }

        output.WriteLine();
        output.WriteLine("MB = 10^6 bytes of response body (5-byte gRPC prefix included; both transports send identical bytes).");
        output.WriteLine("% of ceiling = median over repetitions of grpc-dotnet msg/s / plain msg/s measured back to back.");
        output.WriteLine("% by CPU = plain / grpc-dotnet (server + client) CPU per message: the ratio msg/s tends to when both processes saturate the cores; steadier than msg/s on a shared machine.");
        output.WriteLine("server B/msg = bytes allocated by the whole server process during its streaming loop / messages (the message is built once, before the loop).");
    }

    private static string GcName(bool serverGc) => serverGc ? "server" : "workstation";

    private static string SizeText(int bytes) => bytes >= 1024 && bytes % 1024 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024} KiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
}
