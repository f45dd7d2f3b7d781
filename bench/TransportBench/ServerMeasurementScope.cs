using System.Diagnostics;

namespace StreamGrpc.Bench.Transport;

/// <summary>Starts a <see cref="ServerMeasurement"/> around a streaming loop. The snapshot calls
/// themselves allocate (a Process object); they sit outside the measured window.</summary>
internal readonly struct ServerMeasurementScope
{
    private readonly long _allocated;
    private readonly TimeSpan _cpu;
    private readonly long _timestamp;

    private ServerMeasurementScope(long allocated, TimeSpan cpu, long timestamp)
    {
        _allocated = allocated;
        _cpu = cpu;
        _timestamp = timestamp;
    }

    public static ServerMeasurementScope Start()
    {
        var cpu = CurrentCpu();
        var timestamp = Stopwatch.GetTimestamp();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        return new ServerMeasurementScope(allocated, cpu, timestamp);
    }

    public ServerMeasurement Stop()
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var elapsed = Stopwatch.GetElapsedTime(_timestamp);
        var cpu = CurrentCpu();
        return new ServerMeasurement(allocated - _allocated, cpu - _cpu, elapsed);
    }

    private static TimeSpan CurrentCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
