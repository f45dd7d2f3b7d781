using Google.Protobuf.Reflection;

namespace StreamGrpc.Rpc.AspNetCore.Reflection;

/// <summary>
/// Every proto file reachable from the mapped services (their transitive imports included), indexed
/// by import path and by fully qualified symbol, built once on first use.
/// </summary>
internal sealed class ReflectionDescriptorIndex
{
    private readonly Dictionary<string, FileDescriptor> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _symbols = new(StringComparer.Ordinal);
    private readonly List<FieldDescriptor> _extensions = new();

    public ReflectionDescriptorIndex(IReadOnlyList<string> serviceNames, IEnumerable<ServiceDescriptor> services)
    {
        ServiceNames = serviceNames;
        foreach (var service in services)
        {
            AddFile(service.File);
        }
    }

    public IReadOnlyList<string> ServiceNames { get; }

    public FileDescriptor? FindFile(string name) => _files.GetValueOrDefault(name);

    public FileDescriptor? FindFileContainingSymbol(string symbol) => _symbols.GetValueOrDefault(symbol);

    public FieldDescriptor? FindExtension(string containingType, int number)
        => _extensions.FirstOrDefault(e => e.ExtendeeType?.FullName == containingType && e.FieldNumber == number);

    public IReadOnlyList<int>? FindExtensionNumbers(string containingType)
        => _symbols.ContainsKey(containingType)
            ? _extensions.Where(e => e.ExtendeeType?.FullName == containingType).Select(e => e.FieldNumber).Order().ToArray()
            : null;

    /// <summary>The file first, then each transitive dependency once.</summary>
    public static IEnumerable<FileDescriptor> WithDependencies(FileDescriptor file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<FileDescriptor>();
        pending.Enqueue(file);
        while (pending.TryDequeue(out var next))
        {
            if (!seen.Add(next.Name))
            {
                continue;
            }

            yield return next;
            foreach (var dependency in next.Dependencies)
            {
                pending.Enqueue(dependency);
            }
        }
    }

    private void AddFile(FileDescriptor file)
    {
        if (!_files.TryAdd(file.Name, file))
        {
            return;
        }

        foreach (var service in file.Services)
        {
            _symbols[service.FullName] = file;
            foreach (var method in service.Methods)
            {
                _symbols[method.FullName] = file;
            }
        }

        foreach (var message in file.MessageTypes)
        {
            AddMessage(file, message);
        }

        foreach (var enumType in file.EnumTypes)
        {
            _symbols[enumType.FullName] = file;
        }

        foreach (var extension in file.Extensions.UnorderedExtensions)
        {
            _symbols[extension.FullName] = file;
            _extensions.Add(extension);
        }

        foreach (var dependency in file.Dependencies)
        {
            AddFile(dependency);
        }
    }

    private void AddMessage(FileDescriptor file, MessageDescriptor message)
    {
        _symbols[message.FullName] = file;
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(file, nested);
        }

        foreach (var enumType in message.EnumTypes)
        {
            _symbols[enumType.FullName] = file;
        }

        foreach (var extension in message.Extensions.UnorderedExtensions)
        {
            _symbols[extension.FullName] = file;
            _extensions.Add(extension);
        }
    }
}
