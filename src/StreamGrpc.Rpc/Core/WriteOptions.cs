namespace Grpc.Core;

/// <summary>Options that apply to writes of a call.</summary>
public class WriteOptions
{
    /// <summary>Default options: flush every write, compress when the call compresses.</summary>
    public static readonly WriteOptions Default = new();

    /// <summary>Creates options with the given flags.</summary>
    public WriteOptions(WriteFlags flags = default) => Flags = flags;

    /// <summary>The flags.</summary>
    public WriteFlags Flags { get; }
}
