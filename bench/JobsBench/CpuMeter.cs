using System.Globalization;

namespace JobsBench;

/// <summary>CPU seconds of the PostgreSQL cluster and of this process's reaped children, read from
/// /proc (Linux only). The cluster's figure is the postmaster's own time plus the time of its live
/// children (backends, WAL writer, checkpointer ...) plus its reaped children's (cutime/cstime): a
/// backend that exits during a run (psql's) still counts, because the postmaster reaps it.</summary>
internal sealed class CpuMeter(int postmasterPid, double ticksPerSecond)
{
    /// <summary>Reads the postmaster's pid from the first line of <c>pgdata/postmaster.pid</c>.</summary>
    public static CpuMeter ForCluster(string pgdata, double ticksPerSecond) =>
        new(int.Parse(File.ReadLines(Path.Combine(pgdata, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture), ticksPerSecond);

    /// <summary>CPU seconds the whole cluster has used so far.</summary>
    public double ClusterSeconds()
    {
        var ticks = 0L;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || Stat(name) is not { } stat)
            {
                continue;
            }

            if (stat.Pid == postmasterPid)
            {
                ticks += stat.UTime + stat.STime + stat.CUTime + stat.CSTime;
            }
            else if (stat.PPid == postmasterPid)
            {
                ticks += stat.UTime + stat.STime;
            }
        }

        return ticks / ticksPerSecond;
    }

    /// <summary>The postmaster's children now (zombies, not yet reaped, included).</summary>
    public int Children()
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length > 0 && char.IsAsciiDigit(name[0]) && Stat(name) is { } stat && stat.PPid == postmasterPid)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Waits (up to <paramref name="timeout"/>) until the postmaster has at most
    /// <paramref name="count"/> children: a backend that exited (psql's) has then been reaped, and
    /// its CPU has moved into the postmaster's cutime/cstime. Sampled while the backend is exiting,
    /// its time is in neither place, and a run would lose it. Returns whether that happened in time.</summary>
    public async Task<bool> WaitForChildrenAsync(int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Children() > count)
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(5); // polling /proc: there is no event for another process's reaping
        }

        return true;
    }

    /// <summary>CPU seconds of this process's children that have exited and been waited for (psql).</summary>
    public double ReapedChildrenSeconds() => Stat("self") is { } self ? (self.CUTime + self.CSTime) / ticksPerSecond : 0;

    /// <summary>The 1-minute load average.</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private static ProcStat? Stat(string pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null; // exited meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // Fields after the command name (which may hold spaces), from field 3 (state) on.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return new ProcStat(
            int.Parse(text.AsSpan(0, text.IndexOf(' ')), CultureInfo.InvariantCulture),
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture),
            long.Parse(fields[12], CultureInfo.InvariantCulture),
            long.Parse(fields[13], CultureInfo.InvariantCulture),
            long.Parse(fields[14], CultureInfo.InvariantCulture));
    }

    private readonly record struct ProcStat(int Pid, int PPid, long UTime, long STime, long CUTime, long CSTime);
}
