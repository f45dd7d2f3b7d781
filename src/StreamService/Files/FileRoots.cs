using Microsoft.Extensions.Options;

namespace StreamService.Files;

/// <summary>The configured roots, each resolved once to its real path (symlinks in the root's own
/// path resolved), which is what sandbox checks compare against.</summary>
internal sealed class FileRoots
{
    private readonly Dictionary<string, string> _realDirectories = new(StringComparer.Ordinal);

    public FileRoots(IOptions<FilesOptions> options)
    {
        foreach (var (name, directory) in options.Value.Roots)
        {
            var absolute = ToAbsolute(directory);
            var walk = RealPathWalker.Walk("/", absolute.Split('/', StringSplitOptions.RemoveEmptyEntries));
            if (walk.Missing || !Directory.Exists(walk.Path))
            {
                throw new OptionsValidationException(FilesOptions.SectionName, typeof(FilesOptions),
                    [$"Root '{name}': directory '{absolute}' does not exist."]);
            }

            _realDirectories[name] = walk.Path;
        }
    }

    public IEnumerable<string> Names => _realDirectories.Keys;

    /// <summary>Relative root directories are relative to the application's base directory, so the
    /// shipped demo root is found whatever the working directory.</summary>
    public static string ToAbsolute(string directory) =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory, AppContext.BaseDirectory));

    public bool TryGetRealDirectory(string name, out string realDirectory) =>
        _realDirectories.TryGetValue(name, out realDirectory!);
}
