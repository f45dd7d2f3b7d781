using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace StreamGrpc.Bench.Transport;

/// <summary>
/// The ceiling: the same framed bytes, in the same chunk sizes, written straight into Kestrel's
/// response <c>PipeWriter</c> and flushed per chunk as gRPC does, with no gRPC layer at all.
/// Query: <c>?size=&lt;message size&gt;&amp;count=&lt;messages&gt;</c>.
/// </summary>
internal static class PlainChunkEndpoint
{
    public const string Path = "/plain";

    public static async Task HandleAsync(HttpContext context)
    {
        var size = int.Parse(context.Request.Query["size"].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture);
        var count = int.Parse(context.Request.Query["count"].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture);
        var frame = ChunkFactory.Frame(ChunkFactory.Create(size));
        var response = context.Response;
        response.ContentType = "application/octet-stream";
        var writer = response.BodyWriter;
        var token = context.RequestAborted;

        var scope = ServerMeasurementScope.Start();
        for (var i = 0; i < count; i++)
        {
            writer.Write(frame);
            var result = await writer.FlushAsync(token).ConfigureAwait(false);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }

        var measurement = scope.Stop();
        foreach (var (name, value) in measurement.ToTrailers())
        {
            response.AppendTrailer(name, value);
        }
    }
}
