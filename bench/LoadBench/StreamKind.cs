namespace LoadBench;

/// <summary>The kinds of long-lived stream the load mixes.</summary>
internal enum StreamKind
{
    RowsSlowReader,
    FileFollow,
    JobWatch,
    LlmSlowTokens,
}
