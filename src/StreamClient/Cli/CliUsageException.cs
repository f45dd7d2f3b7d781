namespace StreamClient.Cli;

/// <summary>A command-line mistake found after parsing (exit code 2).</summary>
internal sealed class CliUsageException(string message) : Exception(message);
