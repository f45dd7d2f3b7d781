using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>A row read from the database: its requested values already encoded as the content of a
/// <see cref="Row"/> message (valid only until the source moves to the next row), and its key
/// values as objects for the resume token.</summary>
internal readonly record struct SourceRow(ReadOnlyMemory<byte> EncodedValues, Value[] Key);
