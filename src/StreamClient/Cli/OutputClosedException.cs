namespace StreamClient.Cli;

/// <summary>Stdout has no reader any more (EPIPE): the command stops and exits with
/// <see cref="ExitCodes.OutputClosed"/>, quietly.</summary>
internal sealed class OutputClosedException(Exception inner) : IOException("stdout was closed by its reader.", inner);
