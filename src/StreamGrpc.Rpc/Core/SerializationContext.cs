using System.Buffers;

namespace Grpc.Core;

/// <summary>
/// Where a marshaller writes one serialized message. Either call <see cref="Complete(byte[])"/> with
/// the whole payload, or announce the size with <see cref="SetPayloadLength"/>, write through
/// <see cref="GetBufferWriter"/> and call <see cref="Complete()"/>; the second form lets the runtime
/// serialize straight into the transport's buffers.
/// </summary>
public abstract class SerializationContext
{
    /// <summary>Completes the message with a whole payload.</summary>
    public virtual void Complete(byte[] payload) => throw new NotImplementedException();

    /// <summary>A buffer writer for the payload.</summary>
    public virtual IBufferWriter<byte> GetBufferWriter() => throw new NotImplementedException();

    /// <summary>Announces the payload length before writing through <see cref="GetBufferWriter"/>.</summary>
    public virtual void SetPayloadLength(int payloadLength)
    {
    }

    /// <summary>Completes a message written through <see cref="GetBufferWriter"/>.</summary>
    public virtual void Complete() => throw new NotImplementedException();
}
