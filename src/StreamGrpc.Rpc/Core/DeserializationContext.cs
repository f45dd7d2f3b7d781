using System.Buffers;

namespace Grpc.Core;

/// <summary>One received message payload, handed to a marshaller's deserializer.</summary>
public abstract class DeserializationContext
{
    /// <summary>The payload length in bytes.</summary>
    public abstract int PayloadLength { get; }

    /// <summary>The payload copied into a new array.</summary>
    public virtual byte[] PayloadAsNewBuffer() => PayloadAsReadOnlySequence().ToArray();

    /// <summary>The payload without a copy; valid only during the deserializer call.</summary>
    public abstract ReadOnlySequence<byte> PayloadAsReadOnlySequence();
}
