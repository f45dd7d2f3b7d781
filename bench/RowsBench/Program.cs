using RowsBench;

if (args is ["--help" or "-h" or "-?"])
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine("error: " + e.Message.Split('\n')[0]);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

return await RowsBenchmark.RunAsync(options);
