namespace StreamGrpc.Bench;

/// <summary>The command line every benchmark answers the same way: <c>--help</c> prints its usage
/// (exit 0), and an argument it cannot parse prints one line and the usage (exit 2), never a stack
/// trace.</summary>
internal static class BenchCommandLine
{
    /// <summary>True with the parsed options, or false with the exit code to return.</summary>
    public static bool TryParse<T>(string[] args, string usage, Func<string[], T> parse, out T options, out int exitCode)
        where T : class
    {
        options = null!;
        if (args is ["--help" or "-h" or "-?"])
        {
            Console.WriteLine(usage);
            exitCode = 0;
            return false;
        }

        try
        {
            options = parse(args);
            exitCode = 0;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            Console.Error.WriteLine("error: " + e.Message.Split('\n')[0]);
            Console.Error.WriteLine(usage);
            exitCode = 2;
            return false;
        }
    }
}
