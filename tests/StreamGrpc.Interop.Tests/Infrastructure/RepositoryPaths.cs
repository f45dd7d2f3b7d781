namespace StreamGrpc.Interop.Tests.Infrastructure;

/// <summary>Where the peer programs live, found from the test assembly's location.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Root => s_root.Value;

    public static string PythonPeers => Path.Combine(Root, "tests", "Interop", "python");

    public static string NodePeers => Path.Combine(Root, "tests", "Interop", "node");

    /// <summary>Debian's interpreter: the one that sees python3-grpcio (a pyenv python3 on PATH does not).</summary>
    public const string Python = "/usr/bin/python3";

    public const string Node = "node";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamGrpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"StreamGrpc.sln not found above {AppContext.BaseDirectory}.");
    }
}
