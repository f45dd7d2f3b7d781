using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace StreamGrpc.Interop.Server;

/// <summary>Command line of the interop server, named as in the gRPC interop test descriptions
/// (<c>--port</c>, <c>--use_tls</c>); both <c>--name value</c> and <c>--name=value</c> are accepted.</summary>
internal sealed record InteropServerArguments(IPAddress Host, int Port)
{
    public const string Usage = "usage: StreamGrpc.Interop.Server --port N [--host ADDRESS] [--use_tls=false]";

    public static bool TryParse(string[] args, [NotNullWhen(true)] out InteropServerArguments? arguments, [NotNullWhen(false)] out string? error)
    {
        arguments = null;
        var host = IPAddress.Loopback;
        int? port = null;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = Split(args, ref i);
            switch (name)
            {
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= IPEndPoint.MaxPort:
                    port = p;
                    break;
                case "--host" when IPAddress.TryParse(value, out var address):
                    host = address;
                    break;
                case "--use_tls" when value == "false":
                    break;
                case "--use_tls":
                    error = "TLS is not supported by this interop server; use --use_tls=false.";
                    return false;
                default:
                    error = $"invalid argument {name} {value}".TrimEnd();
                    return false;
            }
        }

        if (port is null)
        {
            error = "--port is required.";
            return false;
        }

        arguments = new InteropServerArguments(host, port.Value);
        error = null;
        return true;
    }

    private static (string Name, string? Value) Split(string[] args, ref int i)
    {
        var arg = args[i];
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0)
        {
            return (arg[..eq], arg[(eq + 1)..]);
        }

        return i + 1 < args.Length ? (arg, args[++i]) : (arg, null);
    }
}
