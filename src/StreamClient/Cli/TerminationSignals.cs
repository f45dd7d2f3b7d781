using System.Runtime.InteropServices;

namespace StreamClient.Cli;

/// <summary>
/// SIGINT (Ctrl+C), SIGTERM and SIGHUP cancel the running command instead of killing the process,
/// so its call is cancelled at the service; the process then exits with 128 + the signal's number
/// (130, 143, 129), as a shell reports a process that the signal ended.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly TaskCompletionSource<int> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;

    public TerminationSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, ExitCodes.Interrupted)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, ExitCodes.Terminated)),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => OnSignal(context, ExitCodes.HungUp)),
        ];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Completes with the exit code of the first signal.</summary>
    public Task<int> Received => _received.Task;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancellation.Dispose();
    }

    private void OnSignal(PosixSignalContext context, int exitCode)
    {
        context.Cancel = true; // the command ends itself, after cancelling its call
        if (_received.TrySetResult(exitCode))
        {
            _cancellation.Cancel();
        }
    }
}
