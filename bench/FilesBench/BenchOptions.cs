namespace FilesBench;

/// <summary>Command line: --size-mb N (default 2048), --runs N (default 1), --keep, --json PATH.</summary>
internal sealed record BenchOptions(long SizeMegabytes, int Runs, bool Keep, string? JsonPath)
{
    public static BenchOptions Parse(string[] args)
    {
        long size = 2048;
        var runs = 1;
        var keep = false;
        string? json = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--size-mb":
                    size = long.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--runs":
                    runs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--keep":
                    keep = true;
                    break;
                case "--json":
                    json = args[++i];
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Use --size-mb N, --runs N, --keep, --json PATH.");
            }
        }

        return new BenchOptions(size, runs, keep, json);
    }
}
