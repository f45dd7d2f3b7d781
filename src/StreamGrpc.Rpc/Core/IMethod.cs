namespace Grpc.Core;

/// <summary>A description of a remote method, independent of its message types.</summary>
public interface IMethod
{
    /// <summary>The kind of method.</summary>
    MethodType Type { get; }

    /// <summary>The fully qualified service name, e.g. <c>grpc.health.v1.Health</c>.</summary>
    string ServiceName { get; }

    /// <summary>The unqualified method name, e.g. <c>Check</c>.</summary>
    string Name { get; }

    /// <summary>The full name used as the HTTP/2 <c>:path</c>: <c>/service/method</c>.</summary>
    string FullName { get; }
}
