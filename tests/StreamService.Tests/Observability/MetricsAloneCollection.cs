using StreamService.Tests.Postgres;

namespace StreamService.Tests.Observability;

/// <summary>
/// Tests that read the service's OpenTelemetry metrics from outside (a Prometheus scrape, an OTLP
/// receiver), run when no other test runs. Run beside the other tests, the Prometheus scrape had no
/// <c>StreamGrpc.Server</c> series at all (3 runs of 3), alone it had them (every run). The likely
/// cause: every host in the test process has a meter named <c>StreamGrpc.Server</c>, a MeterProvider
/// subscribes by name and so also takes in the identical instruments of other tests' hosts running
/// at the same moment, and the metric stream they share is retired when such a host is disposed. Trace
/// sampling is process-wide the same way (every ActivitySource listener of every host decides), so
/// tests that read a sampling decision run here too. A deployed service has one host per process, so
/// this concerns tests only. The collection shares the
/// throwaway PostgreSQL of <see cref="PostgresFixture"/> (after the parallel collections are done).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsAloneCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "metrics, alone";
}
