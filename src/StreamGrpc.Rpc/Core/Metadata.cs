using System.Collections;
using System.Text;

namespace Grpc.Core;

/// <summary>
/// Custom metadata: request headers, response headers or trailers. Keys are ASCII, case-insensitive
/// and stored lower case; keys ending in <c>-bin</c> carry binary values (base64 on the wire),
/// all other values are printable ASCII (gRPC over HTTP/2, "Custom-Metadata").
/// </summary>
public sealed class Metadata : IList<Metadata.Entry>
{
    /// <summary>The suffix that marks a binary-valued key.</summary>
    public const string BinaryHeaderSuffix = "-bin";

    /// <summary>An empty, read-only instance.</summary>
    public static readonly Metadata Empty = new Metadata().Freeze();

    private readonly List<Entry> _entries = new();
    private bool _readOnly;

    /// <summary>Makes this instance read-only and returns it.</summary>
    internal Metadata Freeze()
    {
        _readOnly = true;
        return this;
    }

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Whether entries can be added or removed.</summary>
    public bool IsReadOnly => _readOnly;

    /// <summary>Gets or sets the entry at an index.</summary>
    public Entry this[int index]
    {
        get => _entries[index];
        set
        {
            CheckWritable();
            _entries[index] = value ?? throw new ArgumentNullException(nameof(value));
        }
    }

    /// <summary>The last entry with the given key, or null.</summary>
    public Entry? Get(string key)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].KeyEquals(key))
            {
                return _entries[i];
            }
        }

        return null;
    }

    /// <summary>The string value of the last entry with the given key, or null.</summary>
    public string? GetValue(string key)
    {
        var entry = Get(key);
        if (entry is null)
        {
            return null;
        }

        if (entry.IsBinary)
        {
            throw new InvalidOperationException($"Key '{key}' is binary; use GetValueBytes.");
        }

        return entry.Value;
    }

    /// <summary>The binary value of the last entry with the given key, or null.</summary>
    public byte[]? GetValueBytes(string key)
    {
        var entry = Get(key);
        if (entry is null)
        {
            return null;
        }

        if (!entry.IsBinary)
        {
            throw new InvalidOperationException($"Key '{key}' is not binary; use GetValue.");
        }

        return entry.ValueBytes;
    }

    /// <summary>All entries with the given key, in order.</summary>
    public IEnumerable<Entry> GetAll(string key)
    {
        foreach (var entry in _entries)
        {
            if (entry.KeyEquals(key))
            {
                yield return entry;
            }
        }
    }

    /// <summary>Adds a string entry.</summary>
    public void Add(string key, string value) => Add(new Entry(key, value));

    /// <summary>Adds a binary entry; the key must end in <c>-bin</c>.</summary>
    public void Add(string key, byte[] valueBytes) => Add(new Entry(key, valueBytes));

    /// <summary>Adds an entry.</summary>
    public void Add(Entry item)
    {
        CheckWritable();
        _entries.Add(item ?? throw new ArgumentNullException(nameof(item)));
    }

    /// <summary>Removes all entries.</summary>
    public void Clear()
    {
        CheckWritable();
        _entries.Clear();
    }

    /// <inheritdoc />
    public bool Contains(Entry item) => _entries.Contains(item);

    /// <inheritdoc />
    public void CopyTo(Entry[] array, int arrayIndex) => _entries.CopyTo(array, arrayIndex);

    /// <inheritdoc />
    public int IndexOf(Entry item) => _entries.IndexOf(item);

    /// <inheritdoc />
    public void Insert(int index, Entry item)
    {
        CheckWritable();
        _entries.Insert(index, item ?? throw new ArgumentNullException(nameof(item)));
    }

    /// <inheritdoc />
    public bool Remove(Entry item)
    {
        CheckWritable();
        return _entries.Remove(item);
    }

    /// <inheritdoc />
    public void RemoveAt(int index)
    {
        CheckWritable();
        _entries.RemoveAt(index);
    }

    /// <inheritdoc />
    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    private void CheckWritable()
    {
        if (_readOnly)
        {
            throw new InvalidOperationException("Metadata is read-only.");
        }
    }

    /// <summary>One metadata entry: a key and either a string or a binary value.</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _valueBytes;

        /// <summary>Creates a string entry.</summary>
        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            if (HasBinarySuffix(Key))
            {
                throw new ArgumentException("A key ending in '-bin' needs a binary value.", nameof(key));
            }

            _value = value ?? throw new ArgumentNullException(nameof(value));
            foreach (var c in value)
            {
                // Printable ASCII only (0x20-0x7E), as the HTTP/2 mapping requires for ASCII values.
                if (c < 0x20 || c > 0x7E)
                {
                    throw new ArgumentException("Metadata values must be printable ASCII; use a '-bin' key for other data.", nameof(value));
                }
            }
        }

        /// <summary>Creates a binary entry; the key must end in <c>-bin</c>.</summary>
        public Entry(string key, byte[] valueBytes)
        {
            Key = NormalizeKey(key);
            if (!HasBinarySuffix(Key))
            {
                throw new ArgumentException("A binary value needs a key ending in '-bin'.", nameof(key));
            }

            _valueBytes = valueBytes ?? throw new ArgumentNullException(nameof(valueBytes));
        }

        /// <summary>The lower-case key.</summary>
        public string Key { get; }

        /// <summary>The string value (for binary entries, throws).</summary>
        public string Value => _value ?? throw new InvalidOperationException("Entry is binary; use ValueBytes.");

        /// <summary>The binary value (for string entries, the ASCII bytes).</summary>
        public byte[] ValueBytes => _valueBytes ?? Encoding.ASCII.GetBytes(_value!);

        /// <summary>Whether this entry carries a binary value.</summary>
        public bool IsBinary => _valueBytes is not null;

        internal bool KeyEquals(string key) => string.Equals(Key, key, StringComparison.OrdinalIgnoreCase);

        /// <inheritdoc />
        public override string ToString()
            => IsBinary ? $"[Entry: key={Key}, valueBytes=<{_valueBytes!.Length} bytes>]" : $"[Entry: key={Key}, value={_value}]";

        internal static bool HasBinarySuffix(string key) => key.EndsWith(BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase);

        private static string NormalizeKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            var lower = key.ToLowerInvariant();
            foreach (var c in lower)
            {
                // Header-Name -> 1*( %x30-39 / %x61-7A / "_" / "-" / ".") ; digits, lowercase, _ - .
                var ok = c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' or '.';
                if (!ok)
                {
                    throw new ArgumentException($"Metadata key '{key}' contains an invalid character.", nameof(key));
                }
            }

            return lower;
        }
    }
}
