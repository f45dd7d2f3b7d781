-- Creates and fills the demo table (psql script; variables: tbl = table name, nrows = row count).
-- Used by scripts/pg.sh seed and by the docker-compose init script. Idempotent: skipped when the
-- table already holds exactly nrows rows.
--
-- One transaction under an advisory lock, so concurrent seeders wait for each other and a reader
-- never sees a half-filled table. Every value is a pure function of id, so tests can predict any
-- row; the modulo patterns sprinkle NULLs (and empty strings, bytea and arrays) over every column.
set client_min_messages = warning;
begin;
select pg_advisory_xact_lock(hashtext('streamgrpc-seed:' || :'tbl')) as locked \gset
select (to_regclass(:'tbl') is not null
        and (select count(*) from pg_class where oid = to_regclass(:'tbl') and relkind = 'r') = 1)
       as table_exists \gset
\if :table_exists
  select count(*) = :nrows as already_seeded from :"tbl" \gset
\else
  \set already_seeded f
\endif
\if :already_seeded
  \echo seed: table :tbl already holds :nrows rows
\else
  \echo seed: seeding :tbl with :nrows rows
  -- CASCADE: an unlogged table comes back empty after a crash of the cluster (a killed throwaway
  -- one, for instance), and views on it (the test suite's own) must not keep it from being refilled.
  -- They go with it; whoever made them recreates them (the tests do at every run).
  drop table if exists :"tbl" cascade;
  -- Unlogged: throwaway demo data, no WAL to write; the key is added after the load (faster).
  create unlogged table :"tbl" (
    id          bigint not null,
    name        text,
    category    text not null,
    quantity    integer,
    amount      numeric,
    score       double precision,
    active      boolean,
    created_at  timestamptz,
    day         date,
    at_time     time,
    ref         uuid,
    payload     jsonb,
    blob        bytea,
    tags        text[],
    counts      integer[]
  );
  insert into :"tbl"
  select
    i,
    case when i % 17 = 0 then null when i % 19 = 0 then '' else 'event ' || i end,
    (array['alpha', 'beta', 'gamma', 'delta', 'epsilon'])[1 + i % 5],
    case when i % 13 = 0 then null else ((i * 7919) % 200001 - 100000)::int end,
    case when i % 11 = 0 then null
         else (i::numeric * 1000000007 + 0.12345678901234567890123456789) * (case when i % 2 = 0 then 1 else -1 end) end,
    case when i % 23 = 0 then null else i / 7.0::float8 end,
    case when i % 29 = 0 then null else i % 3 = 0 end,
    case when i % 31 = 0 then null
         else timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => i * 37.123456) end,
    case when i % 37 = 0 then null else date '2000-01-01' + (i % 10000)::int end,
    case when i % 41 = 0 then null else time '00:00:00' + make_interval(secs => (i * 13) % 86400 + 0.5) end,
    case when i % 43 = 0 then null else md5(i::text)::uuid end,
    case when i % 47 = 0 then null
         else jsonb_build_object('i', i, 'even', i % 2 = 0, 'label', 'e' || (i % 100)) end,
    case when i % 53 = 0 then null when i % 59 = 0 then ''::bytea
         else decode(lpad(to_hex(i), 8, '0'), 'hex') end,
    case when i % 61 = 0 then null when i % 67 = 0 then '{}'::text[]
         else array['t' || (i % 10), 't' || (i % 7)] end,
    case when i % 71 = 0 then null else array[i % 10, i % 100, null]::int[] end
  from generate_series(1::bigint, :nrows) as g(i);
  alter table :"tbl" add primary key (id);
  analyze :"tbl";
\endif
commit;
