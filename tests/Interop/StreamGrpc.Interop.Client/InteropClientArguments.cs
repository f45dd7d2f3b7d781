using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace StreamGrpc.Interop.Client;

/// <summary>Command line of the interop client, named as in the gRPC interop test descriptions;
/// both <c>--name value</c> and <c>--name=value</c> are accepted.</summary>
internal sealed record InteropClientArguments(string ServerHost, int ServerPort, IReadOnlyList<string> TestCases, InteropClientOptions Options)
{
    public const string Usage =
        "usage: StreamGrpc.Interop.Client --server_host H --server_port P --test_case NAME[,NAME...|all] " +
        "[--use_tls=false] [--skip_compression_probe=true]";

    public static bool TryParse(string[] args, [NotNullWhen(true)] out InteropClientArguments? arguments, [NotNullWhen(false)] out string? error)
    {
        arguments = null;
        var host = "127.0.0.1";
        int? port = null;
        string? cases = null;
        var options = new InteropClientOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq >= 0 ? arg[..eq] : arg;
            var value = eq >= 0 ? arg[(eq + 1)..] : i + 1 < args.Length ? args[++i] : null;
            switch (name)
            {
                case "--server_host" when !string.IsNullOrEmpty(value):
                    host = value;
                    break;
                case "--server_port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= IPEndPoint.MaxPort:
                    port = p;
                    break;
                case "--test_case" when !string.IsNullOrEmpty(value):
                    cases = value;
                    break;
                case "--use_tls" when value == "false":
                    break;
                case "--skip_compression_probe" when bool.TryParse(value, out var skip):
                    options = options with { SkipCompressionProbe = skip };
                    break;
                default:
                    error = $"invalid argument {arg}{(eq < 0 && value is not null ? " " + value : "")}";
                    return false;
            }
        }

        if (port is null || cases is null)
        {
            error = "--server_port and --test_case are required.";
            return false;
        }

        var testCases = cases == "all" ? InteropClient.TestCases : cases.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = testCases.Where(c => !InteropClient.TestCases.Contains(c)).ToList();
        if (unknown.Count > 0)
        {
            error = $"unknown test case(s): {string.Join(", ", unknown)}";
            return false;
        }

        arguments = new InteropClientArguments(host, port.Value, testCases, options);
        error = null;
        return true;
    }
}
