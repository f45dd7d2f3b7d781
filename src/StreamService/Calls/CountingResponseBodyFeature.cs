using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace StreamService.Calls;

/// <summary>The response body feature of a gated call: Kestrel's, with the writer replaced by a
/// <see cref="CountingPipeWriter"/>. Everything else passes through.</summary>
internal sealed class CountingResponseBodyFeature(IHttpResponseBodyFeature inner, CountingPipeWriter writer) : IHttpResponseBodyFeature
{
    public Stream Stream => inner.Stream;

    public PipeWriter Writer => writer;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
        => inner.SendFileAsync(path, offset, count, cancellationToken);

    public Task CompleteAsync()
    {
        writer.ReportPending();
        return inner.CompleteAsync();
    }
}
