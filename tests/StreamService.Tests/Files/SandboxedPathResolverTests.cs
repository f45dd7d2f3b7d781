using StreamService.Files;

namespace StreamService.Tests.Files;

public sealed class SandboxedPathResolverTests : IDisposable
{
    private readonly FilesTestRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Resolve_FileInRoot_ReturnsRealPath()
    {
        var path = _root.Write("logs/app.log", "x\n");

        var file = _root.Resolver.Resolve(FilesTestRoot.RootName, "logs/./app.log");

        Assert.Equal(path, file.RealPath);
        Assert.Equal("logs/app.log", file.RelativePath);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../outside/secret.txt")]
    [InlineData("logs/../../outside/secret.txt")]
    [InlineData("logs/..")]
    [InlineData("..")]
    [InlineData("logs\\app.log")]
    [InlineData("C:/Windows/win.ini")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    [InlineData("a\0b")]
    public void Resolve_MalformedOrEscapingPath_InvalidArgument(string path)
    {
        _root.Write("logs/app.log", "x\n");
        File.WriteAllText(Path.Combine(_root.OutsideDirectory, "secret.txt"), "s\n");

        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve(FilesTestRoot.RootName, path));

        Assert.Equal(FileLinesError.InvalidArgument, error.Error);
        Assert.DoesNotContain(_root.BaseDirectory, error.Message);
    }

    [Fact]
    public void Resolve_SymlinkToFileOutsideRoot_PermissionDeniedWithoutTarget()
    {
        var secret = Path.Combine(_root.OutsideDirectory, "secret.txt");
        File.WriteAllText(secret, "s\n");
        File.CreateSymbolicLink(_root.PathOf("link.txt"), secret);

        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve(FilesTestRoot.RootName, "link.txt"));

        Assert.Equal(FileLinesError.PermissionDenied, error.Error);
        Assert.DoesNotContain(_root.OutsideDirectory, error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public void Resolve_RelativeSymlinkClimbingOut_PermissionDenied()
    {
        File.WriteAllText(Path.Combine(_root.OutsideDirectory, "secret.txt"), "s\n");
        Directory.CreateDirectory(_root.PathOf("sub"));
        File.CreateSymbolicLink(_root.PathOf("sub/up"), "../../outside/secret.txt");

        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve(FilesTestRoot.RootName, "sub/up"));

        Assert.Equal(FileLinesError.PermissionDenied, error.Error);
    }

    [Fact]
    public void Resolve_SymlinkedDirectoryOutsideRoot_PermissionDenied()
    {
        File.WriteAllText(Path.Combine(_root.OutsideDirectory, "secret.txt"), "s\n");
        Directory.CreateSymbolicLink(_root.PathOf("escape"), _root.OutsideDirectory);

        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve(FilesTestRoot.RootName, "escape/secret.txt"));

        Assert.Equal(FileLinesError.PermissionDenied, error.Error);
    }

    [Fact]
    public void Resolve_MissingFileBehindSymlinkedDirectoryOutsideRoot_PermissionDeniedNotNotFound()
    {
        // NOT_FOUND here would let a caller probe which files exist outside the root.
        Directory.CreateSymbolicLink(_root.PathOf("escape"), _root.OutsideDirectory);

        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve(FilesTestRoot.RootName, "escape/nothing.txt"));

        Assert.Equal(FileLinesError.PermissionDenied, error.Error);
    }

    [Fact]
    public void Resolve_SymlinkToDeviceFile_PermissionDenied()
    {
        File.CreateSymbolicLink(_root.PathOf("null"), "/dev/null");

        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve(FilesTestRoot.RootName, "null"));

        Assert.Equal(FileLinesError.PermissionDenied, error.Error);
        Assert.DoesNotContain("/dev", error.Message);
    }

    [Fact]
    public void Resolve_SymlinkWithinRoot_FollowsIt()
    {
        var target = _root.Write("data/real.log", "x\n");
        File.CreateSymbolicLink(_root.PathOf("current.log"), "data/real.log");

        var file = _root.Resolver.Resolve(FilesTestRoot.RootName, "current.log");

        Assert.Equal(target, file.RealPath);
        Assert.Equal(_root.RootDirectory, file.NameDirectory);
    }

    [Fact]
    public void Resolve_SymlinkLoop_InvalidArgument()
    {
        File.CreateSymbolicLink(_root.PathOf("a"), "b");
        File.CreateSymbolicLink(_root.PathOf("b"), "a");

        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve(FilesTestRoot.RootName, "a"));

        Assert.Equal(FileLinesError.InvalidArgument, error.Error);
    }

    [Fact]
    public void Resolve_Fifo_InvalidArgumentWithoutOpening()
    {
        // Opening a FIFO for reading blocks until a writer appears: it must be refused before open.
        FilesTestRoot.MakeFifo(_root.PathOf("pipe"));

        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve(FilesTestRoot.RootName, "pipe"));

        Assert.Equal(FileLinesError.InvalidArgument, error.Error);
        Assert.Contains("not a regular file", error.Message);
    }

    [Fact]
    public void Resolve_Directory_InvalidArgument()
    {
        Directory.CreateDirectory(_root.PathOf("logs"));

        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve(FilesTestRoot.RootName, "logs"));

        Assert.Equal(FileLinesError.InvalidArgument, error.Error);
        Assert.Contains("directory", error.Message);
    }

    [Theory]
    [InlineData("missing.log")]
    [InlineData("no/such/dir/file.log")]
    public void Resolve_MissingFile_NotFound(string path)
    {
        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve(FilesTestRoot.RootName, path));

        Assert.Equal(FileLinesError.NotFound, error.Error);
        Assert.DoesNotContain(_root.BaseDirectory, error.Message);
    }

    [Fact]
    public void Resolve_UnknownRoot_NotFoundNamingConfiguredRoots()
    {
        var error = Assert.Throws<FileLinesException>(() => _root.Resolver.Resolve("nope", "a.log"));

        Assert.Equal(FileLinesError.NotFound, error.Error);
        Assert.Contains("roots: t.", error.Message);
        Assert.DoesNotContain(_root.BaseDirectory, error.Message);
    }

    [Fact]
    public void Resolve_RootConfiguredThroughSymlink_ServesFilesInside()
    {
        var link = Path.Combine(_root.BaseDirectory, "root-link");
        Directory.CreateSymbolicLink(link, _root.RootDirectory);
        var path = _root.Write("a.log", "x\n");
        using var linked = new FilesTestRoot(o => o.Roots[FilesTestRoot.RootName] = link);

        var file = linked.Resolver.Resolve(FilesTestRoot.RootName, "a.log");

        Assert.Equal(path, file.RealPath);
    }
}
