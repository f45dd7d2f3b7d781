using System.Buffers;
using Google.Protobuf;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>What the server writes on a row stream: a <see cref="StreamRowsResponse"/> object (the
/// schema) or an <see cref="EncodedRowBatch"/> already in wire format. Either way the bytes on the
/// wire are a StreamRowsResponse, so clients and reflection see the public contract unchanged.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(RowsStreamMessageJsonConverter))]
internal sealed class RowsStreamMessage
{
    public RowsStreamMessage(StreamRowsResponse response)
    {
        Response = response;
    }

    public RowsStreamMessage(EncodedRowBatch batch)
    {
        Batch = batch;
    }

    public StreamRowsResponse? Response { get; }

    public EncodedRowBatch? Batch { get; }

    public int CalculateSize() => Response?.CalculateSize() ?? Batch!.Message.Length;

    public void WriteTo(IBufferWriter<byte> output)
    {
        if (Response is not null)
        {
            Response.WriteTo(output);
            return;
        }

        ProtoWriter.CopyTo(Batch!.Message, output);
    }
}
