using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace StreamService.Calls;

/// <summary>
/// The user state of a <see cref="GatedServerCallContext"/>: answers grpc-dotnet's one lookup, the
/// call's HttpContext under <c>__HttpContext</c> (how its <c>GetHttpContext()</c> finds the
/// HttpContext of a context that is not its own), without allocating a dictionary; anything a
/// handler stores goes to the HttpContext's own <c>Items</c>, as grpc-dotnet's context does.
/// Hand-written because a held stream pays for every object of its call: seeding <c>Items</c> with
/// the key instead cost an items dictionary per call.
/// </summary>
internal sealed class GatedUserState(HttpContext http) : IDictionary<object, object>
{
    public const string HttpContextKey = "__HttpContext";

    private IDictionary<object, object> Items => http.Items!;

    public object this[object key]
    {
        get => IsHttpContextKey(key) ? http : Items[key];
        set
        {
            if (IsHttpContextKey(key))
            {
                throw new InvalidOperationException($"'{HttpContextKey}' is the call's HttpContext.");
            }

            Items[key] = value;
        }
    }

    public ICollection<object> Keys => [HttpContextKey, .. Items.Keys];

    public ICollection<object> Values => [http, .. Items.Values];

    public int Count => Items.Count + 1;

    public bool IsReadOnly => false;

    public bool TryGetValue(object key, [MaybeNullWhen(false)] out object value)
    {
        if (IsHttpContextKey(key))
        {
            value = http;
            return true;
        }

        return Items.TryGetValue(key, out value);
    }

    public bool ContainsKey(object key) => IsHttpContextKey(key) || Items.ContainsKey(key);

    public void Add(object key, object value) => this[key] = value;

    public void Add(KeyValuePair<object, object> item) => Add(item.Key, item.Value);

    public bool Remove(object key) => !IsHttpContextKey(key) && Items.Remove(key);

    public bool Remove(KeyValuePair<object, object> item) => !IsHttpContextKey(item.Key) && Items.Remove(item);

    public bool Contains(KeyValuePair<object, object> item) => IsHttpContextKey(item.Key) ? ReferenceEquals(item.Value, http) : Items.Contains(item);

    public void Clear() => Items.Clear();

    public void CopyTo(KeyValuePair<object, object>[] array, int arrayIndex)
    {
        array[arrayIndex] = new(HttpContextKey, http);
        Items.CopyTo(array, arrayIndex + 1);
    }

    public IEnumerator<KeyValuePair<object, object>> GetEnumerator()
    {
        yield return new(HttpContextKey, http);
        foreach (var item in Items)
        {
            yield return item;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool IsHttpContextKey(object key) => key is string s && s == HttpContextKey;
}
