using StreamGrpc.Rpc.Protocol;

namespace Grpc.Core;

/// <summary>Serializes and deserializes one message type.</summary>
public class Marshaller<T>
{
    private readonly Func<T, byte[]>? _serializer;
    private readonly Func<byte[], T>? _deserializer;

    /// <summary>Creates a marshaller from simple byte-array functions.</summary>
    public Marshaller(Func<T, byte[]> serializer, Func<byte[], T> deserializer)
    {
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _deserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
        ContextualSerializer = (value, context) => context.Complete(_serializer(value));
        ContextualDeserializer = context => _deserializer(context.PayloadAsNewBuffer());
    }

    /// <summary>Creates a marshaller from contextual functions (the form generated code uses).</summary>
    public Marshaller(Action<T, SerializationContext> serializer, Func<DeserializationContext, T> deserializer)
    {
        ContextualSerializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        ContextualDeserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
    }

    /// <summary>A byte-array serializer (built from the contextual one when not given).</summary>
    public Func<T, byte[]> Serializer => _serializer ?? SerializeToArray;

    /// <summary>A byte-array deserializer (built from the contextual one when not given).</summary>
    public Func<byte[], T> Deserializer => _deserializer ?? DeserializeFromArray;

    /// <summary>The serializer that writes into a <see cref="SerializationContext"/>.</summary>
    public Action<T, SerializationContext> ContextualSerializer { get; }

    /// <summary>The deserializer that reads from a <see cref="DeserializationContext"/>.</summary>
    public Func<DeserializationContext, T> ContextualDeserializer { get; }

    private byte[] SerializeToArray(T value)
    {
        var context = new ArraySerializationContext();
        ContextualSerializer(value, context);
        return context.GetPayload();
    }

    private T DeserializeFromArray(byte[] payload) => ContextualDeserializer(new ArrayDeserializationContext(payload));
}
