using System.Buffers;

namespace StreamGrpc.Rpc.Tests.Protocol;

/// <summary>An <see cref="ArrayBufferWriter{T}"/> that counts calls, to check how a writer talks to
/// the transport (each call on Kestrel's response writer takes a lock).</summary>
internal sealed class CountingBufferWriter : IBufferWriter<byte>
{
    private readonly ArrayBufferWriter<byte> _inner = new();

    public int AdvanceCalls { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _inner.WrittenSpan;

    public void Advance(int count)
    {
        AdvanceCalls++;
        _inner.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(sizeHint);
}
