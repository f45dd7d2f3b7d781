using Xunit;
namespace StreamService.Tests.Postgres;

/// <summary>The tests that share the throwaway PostgreSQL of <see cref="PostgresFixture"/>. Tests in
/// one collection run one after another, so they never fight over the database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
