namespace StreamGrpc.Interop.Client;

/// <summary>The outcome of one interop case, printed as one line.</summary>
internal sealed record InteropCaseResult(string TestCase, bool Passed, string? Reason)
{
    public override string ToString()
        => Passed ? $"RESULT {TestCase} PASS" : $"RESULT {TestCase} FAIL {Reason?.ReplaceLineEndings(" | ")}";
}
