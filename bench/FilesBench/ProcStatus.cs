namespace FilesBench;

/// <summary>Reads a field of /proc/PID/status (Linux).</summary>
internal static class ProcStatus
{
    public static long ReadKilobytes(int processId, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
