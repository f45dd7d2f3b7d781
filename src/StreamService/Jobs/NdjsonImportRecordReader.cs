using System.Text.Json;

namespace StreamService.Jobs;

/// <summary>NDJSON records: one JSON object per line; each mapping takes a top-level property.
/// A missing property or JSON null is NULL; strings give their value, numbers and booleans their
/// JSON text; objects and arrays only go into json/jsonb columns (as JSON text).</summary>
internal sealed class NdjsonImportRecordReader(string[] properties, bool[] jsonColumns) : ImportRecordReader
{
    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = 64 };

    private readonly string?[] _values = new string?[properties.Length];

    public override string? Parse(string record)
    {
        Array.Clear(_values);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(record, s_options);
        }
        catch (JsonException e)
        {
            return $"not valid JSON (position {e.BytePositionInLine ?? 0})";
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "the line is not a JSON object";
            }

            for (var i = 0; i < properties.Length; i++)
            {
                if (!root.TryGetProperty(properties[i], out var value))
                {
                    continue;
                }

                switch (value.ValueKind)
                {
                    case JsonValueKind.Null:
                        break;
                    case JsonValueKind.String:
                        _values[i] = jsonColumns[i] ? value.GetRawText() : value.GetString();
                        break;
                    case JsonValueKind.Object or JsonValueKind.Array when !jsonColumns[i]:
                        return $"property '{properties[i]}': an {(value.ValueKind == JsonValueKind.Object ? "object" : "array")} fits only a json column";
                    default:
                        _values[i] = value.GetRawText();
                        break;
                }
            }
        }

        return null;
    }

    public override bool TryGet(int binding, out ReadOnlyMemory<char> text)
    {
        var value = _values[binding];
        text = value.AsMemory();
        return value is not null;
    }
}
