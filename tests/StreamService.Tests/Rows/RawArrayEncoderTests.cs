using Npgsql;
using StreamGrpc.V1;
using StreamService.Rows;
using StreamService.Tests.Postgres;
using Xunit;

namespace StreamService.Tests.Rows;

/// <summary>Arrays encoded from PostgreSQL's binary array format (<see cref="RawArrayEncoder"/>) are
/// byte for byte what the Npgsql-built path encodes, for every element type that takes the raw path,
/// with NULL elements, empty arrays, a lower bound other than 1, edge values, and NULL arrays.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RawArrayEncoderTests(PostgresFixture postgres)
{
    public static TheoryData<ColumnType, string> Arrays => new()
    {
        { ColumnType.Bool, "ARRAY[true, NULL, false]::bool[]" },
        { ColumnType.Int16, "ARRAY[-32768, 0, NULL, 32767]::int2[]" },
        { ColumnType.Int32, "ARRAY[-2147483648, -1, 0, 1, 127, 128, NULL, 2147483647]::int4[]" },
        { ColumnType.Int64, "ARRAY[-9223372036854775808, -1, NULL, 300, 9223372036854775807]::int8[]" },
        { ColumnType.Float32, "ARRAY['NaN', 'Infinity', '-Infinity', '-0', '1.5', NULL, '3.4028235e38']::float4[]" },
        { ColumnType.Float64, "ARRAY['NaN', '-Infinity', '-0', '0.1', NULL, '1.7976931348623157e308']::float8[]" },
        { ColumnType.Text, "ARRAY['', 'a', NULL, 'größe ✓ 𝄞', repeat('x', 300)]::text[]" },
        { ColumnType.Text, "ARRAY['ab', NULL]::varchar(5)[]" },
        { ColumnType.Text, "ARRAY['ab', 'abc']::char(4)[]" },
        { ColumnType.Text, "ARRAY['pg_class']::name[]" },
        { ColumnType.Numeric, "ARRAY[0, -1.5, NULL, 123456789012345678901234567890.123456789]::numeric[]::text[]" },
        { ColumnType.Bytes, "ARRAY['\\x'::bytea, '\\x00ff10'::bytea, NULL]::bytea[]" },
        { ColumnType.Uuid, "ARRAY['00000000-0000-0000-0000-000000000000', NULL, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'ffffffff-ffff-ffff-ffff-ffffffffffff']::uuid[]" },
        { ColumnType.Int32, "'{}'::int4[]" },
        { ColumnType.Text, "'{}'::text[]" },
        { ColumnType.Int32, "'[0:2]={7,8,9}'::int4[]" },
        { ColumnType.Int32, "NULL::int4[]" },
        { ColumnType.Int32, "ARRAY[NULL, NULL]::int4[]" },
    };

    [Theory]
    [MemberData(nameof(Arrays))]
    public async Task Encode_RawArray_EqualsTheNpgsqlBuiltEncoding(ColumnType type, string literal)
    {
        var (raw, throughNpgsql) = await EncodeBothWaysAsync(type, literal);

        Assert.Equal(throughNpgsql, raw);
        Assert.NotEmpty(raw);
    }

    public static TheoryData<ColumnType, string> Scalars => new()
    {
        { ColumnType.Text, "''::text" },
        { ColumnType.Text, "'größe ✓ 𝄞'::text" },
        { ColumnType.Text, "repeat('y', 100000)::text" },
        { ColumnType.Text, "'ab'::char(4)" },
        { ColumnType.Text, "'ab'::varchar(9)" },
        { ColumnType.Text, "'pg_class'::name" },
        { ColumnType.Numeric, "(-123456789012345678901234567890.5)::numeric::text" },
        { ColumnType.Other, "'1 day 02:00'::interval::text" },
        { ColumnType.Bytes, "'\\x'::bytea" },
        { ColumnType.Bytes, "'\\x00ff7f80'::bytea" },
        { ColumnType.Json, "'{\"a\": [1, \"b\"]}'::jsonb" },
        { ColumnType.Json, "'{\"a\": 1}'::json" },
        { ColumnType.Json, "'  [1,2] '::json" },
        { ColumnType.Json, "'\"größe\"'::jsonb" },
        { ColumnType.Json, "NULL::jsonb" },
        { ColumnType.Text, "NULL::text" },
        { ColumnType.Bytes, "NULL::bytea" },
    };

    /// <summary>Text-like, JSON and bytea cells are copied from the column's raw bytes: the same encoding
    /// as from Npgsql's byte[] of the value (for jsonb, whose raw form starts with a version byte, too).</summary>
    [Theory]
    [MemberData(nameof(Scalars))]
    public async Task Encode_ScalarFromRawBytes_EqualsTheByteArrayEncoding(ColumnType type, string literal)
    {
        var encoder = ColumnEncoders.For(new DatasetColumn("c", type, IsArray: false, "t", Nullable: true));
        await using var command = postgres.DataSource.CreateCommand($"SELECT {literal}");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        using var expected = new ProtoWriter(64);
        if (reader.IsDBNull(0))
        {
            ValueEncoder.WriteNull(expected);
        }
        else if (type == ColumnType.Bytes)
        {
            ValueEncoder.WriteBytes(expected, reader.GetFieldValue<byte[]>(0));
        }
        else
        {
            var tag = type switch { ColumnType.Numeric => ValueEncoder.NumericTag, ColumnType.Json => ValueEncoder.JsonTag, _ => ValueEncoder.TextTag };
            ValueEncoder.WriteUtf8(expected, tag, reader.GetFieldValue<byte[]>(0));
        }

        Assert.Equal(expected.WrittenSpan.ToArray(), Encode(encoder, reader));
    }

    [Fact]
    public async Task Encode_MultiDimensionalArray_FailsAsThroughNpgsql()
    {
        var raw = await Assert.ThrowsAnyAsync<Exception>(() => EncodeBothWaysAsync(ColumnType.Int32, "'{{1,2},{3,4}}'::int4[]", rawOnly: true));
        var throughNpgsql = await Assert.ThrowsAnyAsync<Exception>(() => EncodeBothWaysAsync(ColumnType.Int32, "'{{1,2},{3,4}}'::int4[]", npgsqlOnly: true));

        Assert.Equal(throughNpgsql.GetType(), raw.GetType());
    }

    [Fact]
    public void For_TypesWithoutARawForm_UseTheNpgsqlPath()
    {
        var fallback = ColumnEncoders.ArrayThroughNpgsql(ColumnType.Date);
        Assert.Null(RawArrayEncoder.For(ColumnType.Date, fallback));
        Assert.Null(RawArrayEncoder.For(ColumnType.Timestamp, fallback));
        Assert.Null(RawArrayEncoder.For(ColumnType.Json, fallback));
        Assert.NotNull(RawArrayEncoder.For(ColumnType.Int32, fallback));
    }

    private async Task<(byte[] Raw, byte[] ThroughNpgsql)> EncodeBothWaysAsync(ColumnType type, string literal, bool rawOnly = false, bool npgsqlOnly = false)
    {
        var throughNpgsql = ColumnEncoders.ArrayThroughNpgsql(type);
        // One-dimensional values must never reach the fallback: it is the thing compared against.
        var raw = RawArrayEncoder.For(type, rawOnly ? throughNpgsql : static (_, _, _) => throw new InvalidOperationException("the raw path fell back to Npgsql"))!;
        await using var command = postgres.DataSource.CreateCommand($"SELECT {literal}");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (rawOnly || !npgsqlOnly ? Encode(raw, reader) : [], npgsqlOnly || !rawOnly ? Encode(throughNpgsql, reader) : []);
    }

    private static byte[] Encode(ColumnEncoder encoder, NpgsqlDataReader reader)
    {
        using var encoding = new RowEncoding();
        encoding.Row.Reset();
        encoder(reader, 0, encoding);
        return encoding.Row.WrittenSpan.ToArray();
    }
}
