using System.Buffers.Text;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using StreamGrpc.V1;

namespace StreamService.Rows;

/// <summary>Encodes and checks resume tokens. A token is opaque to callers and tamper-evident:
/// <code>
/// base64url( version:1 | delivered:varint | key count:varint | key values:length-delimited Value* | mac:32 )
/// mac = HMAC-SHA256(key, query fingerprint | everything before the mac)
/// </code>
/// The query fingerprint is the request without its resume token and batch size, so a token only
/// continues the query it came from (a client may change the batch size when it resumes). The
/// HMAC key comes from configuration so tokens survive restarts and work on every replica.</summary>
internal sealed class ResumeTokenCodec
{
    private const byte Version = 1;
    private const int MacLength = 32;

    /// <summary>Longest token accepted, in characters; keys are small, so this is generous.</summary>
    public const int MaxTokenLength = 16 * 1024;

    private readonly byte[] _key;

    public ResumeTokenCodec(IOptions<RowsOptions> options)
    {
        if (!ResumeTokenKey.TryParse(options.Value.ResumeTokenKey, out _key))
        {
            throw new InvalidOperationException($"{RowsOptions.SectionName}:ResumeTokenKey is not a valid key");
        }
    }

    /// <summary>The bytes a token is bound to.</summary>
    public static byte[] Fingerprint(StreamRowsRequest request)
    {
        var query = request.Clone();
        query.ResumeToken = "";
        query.BatchSize = 0;
        return query.ToByteArray();
    }

    public string Encode(ReadOnlySpan<byte> fingerprint, long delivered, IReadOnlyList<Value> key)
    {
        using var payload = new MemoryStream();
        var output = new CodedOutputStream(payload, leaveOpen: true);
        output.WriteRawTag(Version);
        output.WriteInt64(delivered);
        output.WriteInt32(key.Count);
        foreach (var value in key)
        {
            output.WriteMessage(value);
        }

        output.Flush();
        var body = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        var token = new byte[body.Length + MacLength];
        body.CopyTo(token);
        Mac(fingerprint, body, token.AsSpan(body.Length));
        return Base64Url.EncodeToString(token);
    }

    /// <summary>The position a token continues from; INVALID_ARGUMENT when it was modified, was
    /// made for another query, or is not a token at all.</summary>
    public ResumePosition Decode(string token, ReadOnlySpan<byte> fingerprint)
    {
        if (token.Length > MaxTokenLength || !Base64Url.IsValid(token))
        {
            throw Invalid();
        }

        var bytes = Base64Url.DecodeFromChars(token);
        if (bytes.Length <= MacLength + 1 || bytes[0] != Version)
        {
            throw Invalid();
        }

        var body = bytes.AsSpan(0, bytes.Length - MacLength);
        Span<byte> expected = stackalloc byte[MacLength];
        Mac(fingerprint, body, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(body.Length)))
        {
            throw Invalid();
        }

        // Authentic, so written by Encode: parse failures here mean a bug, still reported as invalid.
        try
        {
            var input = new CodedInputStream(bytes, 1, body.Length - 1);
            var delivered = input.ReadInt64();
            var count = input.ReadInt32();
            if (delivered < 0 || count < 0 || count > 32)
            {
                throw Invalid();
            }

            var key = new Value[count];
            for (var i = 0; i < count; i++)
            {
                key[i] = new Value();
                input.ReadMessage(key[i]);
            }

            return new ResumePosition(delivered, key);
        }
        catch (InvalidProtocolBufferException)
        {
            throw Invalid();
        }
    }

    private void Mac(ReadOnlySpan<byte> fingerprint, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        Span<byte> length = stackalloc byte[4];
        // Length-prefix the fingerprint so (fingerprint, body) pairs cannot be re-split.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, fingerprint.Length);
        hmac.AppendData(length);
        hmac.AppendData(fingerprint);
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }

    private static RowsException Invalid() =>
        RowsException.InvalidArgument("resume_token is not valid for this request (it was modified or belongs to another query)");
}
