using StreamService.Tests.Postgres;

namespace StreamService.Tests.Rows;

/// <summary>Tables and views the row tests stream, besides the seeded <c>events</c>. Created once
/// per test run (dropped and recreated, so a changed definition always applies).</summary>
internal static class RowsTestData
{
    public const string TypesTable = "rows_test_types";
    public const string SlowView = "rows_test_slow_events";
    public const string PairsTable = "rows_test_pairs";
    public const string CanaryTable = "rows_test_canary";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _created;

    public static async Task EnsureAsync(PostgresFixture postgres)
    {
        await Gate.WaitAsync().Within();
        try
        {
            if (!_created)
            {
                await postgres.ExecuteAsync(Sql);
                _created = true;
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private const string Sql = $$"""
        DROP TABLE IF EXISTS {{TypesTable}};
        CREATE TABLE {{TypesTable}} (
            id int PRIMARY KEY,
            b bool, i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, num numeric,
            txt text, vc varchar(10), ch char(3), by bytea, u uuid, j json, jb jsonb,
            tstz timestamptz, ts timestamp, d date, t time, iv interval,
            a_txt text[], a_i4 integer[], a_num numeric[], a_tstz timestamptz[], a_b bool[],
            a_u uuid[], a_d date[], a_f8 double precision[], a_by bytea[]
        );
        INSERT INTO {{TypesTable}} (id) VALUES (1);
        INSERT INTO {{TypesTable}} (id, txt, vc, ch, by, j, jb, a_txt, a_i4, a_num, a_by)
        VALUES (2, '', '', 'ab', '\x', '""', '{}', '{}', '{}', '{}', '{}');
        INSERT INTO {{TypesTable}} VALUES (3,
            false, -32768, -2147483648, -9223372036854775808, -3.4028235e38, -1.7976931348623157e308,
            '-123456789012345678901234567890.123456789012345678901234567890',
            'ünïcødé 🚀 ''single'' "double" \ back', 'vc', 'xyz', '\x00ff10', 'c4ca4238-a0b9-2382-0dcc-509a6f75849b',
            '{"a": [1, 2.50]}', '{"b": {"c": null}, "a": 1}',
            '2024-06-30 23:59:59.999999+05:30', '1999-12-31 23:59:59.5', '2024-02-29', '00:00:00', '1 day 02:03:04',
            '{a,NULL,""}', '{1,NULL,-3}', '{1e-30,NULL,99999999999999999999999999999999.5}',
            '{"2000-01-01 00:00:00+00",NULL}', '{t,NULL,f}', '{c4ca4238-a0b9-2382-0dcc-509a6f75849b,NULL}',
            '{2024-01-01,NULL}', '{NaN,Infinity,-Infinity,NULL}', '{"\\x00ff",NULL}');
        INSERT INTO {{TypesTable}} (id, b, i2, i4, i8, f4, f8, num, tstz, ts, d, t)
        VALUES (4, true, 32767, 2147483647, 9223372036854775807, 'NaN', 'Infinity', 'NaN',
            'infinity', '-infinity', 'infinity', '23:59:59.999999');
        INSERT INTO {{TypesTable}} (id, f8, num, tstz, d, t)
        VALUES (5, '-0', '0.000000000000000000000000000000000000001', '1970-01-01 00:00:00+00', '-infinity', '12:34:56.000001');
        INSERT INTO {{TypesTable}} (id, num) VALUES (6, '-Infinity');

        CREATE OR REPLACE FUNCTION rows_test_slow(v bigint) RETURNS bigint
            LANGUAGE plpgsql VOLATILE COST 1000000 AS $f$ BEGIN PERFORM pg_sleep(0.002); RETURN v; END $f$;
        CREATE OR REPLACE VIEW {{SlowView}} AS SELECT id, rows_test_slow(id) AS slow FROM events;

        DROP TABLE IF EXISTS {{PairsTable}};
        CREATE TABLE {{PairsTable}} (a int NOT NULL, b text NOT NULL, v int, PRIMARY KEY (a, b));
        INSERT INTO {{PairsTable}} SELECT i / 10, 'k' || (i % 10), i FROM generate_series(0, 299) AS g(i);

        DROP TABLE IF EXISTS {{CanaryTable}};
        CREATE TABLE {{CanaryTable}} (id int);
        INSERT INTO {{CanaryTable}} VALUES (1);
        """;
}
