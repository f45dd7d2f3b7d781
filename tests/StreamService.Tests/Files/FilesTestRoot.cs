using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StreamGrpc.V1;
using StreamService.Files;
using StreamService.Files.Stages;

namespace StreamService.Tests.Files;

/// <summary>A temporary served root named "t" (directory <see cref="RootDirectory"/>) with a sibling
/// directory outside it, and the feature's domain objects built over it the way DI builds them.</summary>
internal sealed class FilesTestRoot : IDisposable
{
    public const string RootName = "t";

    public FilesTestRoot(Action<FilesOptions>? configure = null, bool useWatchers = true)
    {
        BaseDirectory = Path.Combine(Path.GetTempPath(), "streamgrpc-files-" + Guid.NewGuid().ToString("N"));
        RootDirectory = Path.Combine(BaseDirectory, "root");
        OutsideDirectory = Path.Combine(BaseDirectory, "outside");
        Directory.CreateDirectory(RootDirectory);
        Directory.CreateDirectory(OutsideDirectory);

        Options = new FilesOptions { Roots = { [RootName] = RootDirectory } };
        configure?.Invoke(Options);
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        Resolver = new SandboxedPathResolver(new FileRoots(options));
        Notifier = new FileChangeNotifier(NullLogger<FileChangeNotifier>.Instance, useWatchers);
        Sources = new FileLineSourceFactory(Resolver, Notifier, options, NullLogger<FileLineSource>.Instance);
        Parser = new FileLinesRequestParser(options);
    }

    public string BaseDirectory { get; }

    public string RootDirectory { get; }

    public string OutsideDirectory { get; }

    public FilesOptions Options { get; }

    public SandboxedPathResolver Resolver { get; }

    public FileChangeNotifier Notifier { get; }

    public FileLineSourceFactory Sources { get; }

    public FileLinesRequestParser Parser { get; }

    public string PathOf(string relative) => Path.Combine(RootDirectory, relative);

    public string Write(string relative, string text) => Write(relative, Encoding.UTF8.GetBytes(text));

    public string Write(string relative, byte[] bytes)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static void Append(string path, string text)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Opens a source and runs it through the stages: what the service does minus the wire
    /// (lent UTF-8 lines, as the service reads them, materialised before the next pull).</summary>
    public async Task<List<LineItem>> ReadLinesAsync(StreamLinesRequest request, bool lendUtf8 = true)
    {
        request.Root = string.IsNullOrEmpty(request.Root) ? RootName : request.Root;
        var query = Parser.Parse(request);
        await using var source = await Sources.OpenAsync(query.Root, query.Path, query.Start, query.Follow, CancellationToken.None).Within();
        var lines = new List<LineItem>();
        await using var enumerator = query.Pipeline.Apply(source.ReadAsync(lendUtf8)).GetAsyncEnumerator();
        while (await enumerator.MoveNextAsync().Within())
        {
            lines.Add(enumerator.Current.Materialise());
        }

        return lines;
    }

    public Task<List<LineItem>> ReadLinesAsync(string relative, params LineFilter[] filters)
    {
        var request = new StreamLinesRequest { Path = relative };
        request.Filters.Add(filters);
        return ReadLinesAsync(request);
    }

    public static LinePipeline Pipeline(FilesOptions options, params LineFilter[] filters) =>
        LinePipelineBuilder.Build(filters, 0, options);

    public static void MakeFifo(string path)
    {
        if (MkFifo(path, 0x1A4 /* 0644 */) != 0)
        {
            throw new IOException($"mkfifo failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    public void Dispose()
    {
        Notifier.Dispose();
        try
        {
            Directory.Delete(BaseDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; a test that failed may still hold a handle.
        }
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
