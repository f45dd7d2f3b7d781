using StreamGrpc.Interop.Client;

namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>Theory data: the interop cases of issue #2, and the reflection checks per protocol version.</summary>
public static class InteropCases
{
    /// <summary>Every case, run by every peer client and by our client.</summary>
    public static TheoryData<string> All => new(InteropClient.TestCases);

    /// <summary>The checks of tests/Interop/python/reflection_check.py, as "version.check".</summary>
    public static TheoryData<string> ReflectionChecks
    {
        get
        {
            string[] checks =
            [
                "list_services",
                "file_containing_symbol_service",
                "file_containing_symbol_method",
                "file_containing_symbol_message",
                "transitive_well_known_types",
                "file_by_filename",
                "file_by_filename_well_known",
                "unknown_symbol",
                "unknown_file",
            ];
            return new(from version in new[] { "v1", "v1alpha" } from check in checks select $"{version}.{check}");
        }
    }

    /// <summary>Upper bound of one peer run over all cases (they take about a second).</summary>
    public static readonly TimeSpan PeerRunTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Upper bound of a server's start-up until it accepts connections.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
}
