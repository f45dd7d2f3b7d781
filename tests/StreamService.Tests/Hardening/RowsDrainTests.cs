using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StreamGrpc.V1;
using StreamService.Drain;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Hardening;

/// <summary>Item 4 for rows on real PostgreSQL: a drained row stream carries the resume token in
/// its trailers, and a second instance continues from it with no row lost or repeated.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RowsDrainTests(PostgresFixture postgres)
{
    private const string Key = "rows-drain-key-0123456789";
    private const int Limit = 200_000;

    [Fact]
    public async Task Drain_RowStreamWhileClientLags_UnavailableWithTokenThatResumesOnAnotherInstance()
    {
        var settings = HardeningSettings.WithKeys(("reader", Key, ["rows:events"]))
            .With("ConnectionStrings:Postgres", postgres.ConnectionString)
            .With("StreamGrpc:Drain:Timeout", "00:00:00");
        await using var a = await HardenedHost.StartAsync(settings);
        await using var b = await HardenedHost.StartAsync(settings);
        var request = new StreamRowsRequest { Dataset = "events", Columns = { "id" }, Limit = Limit, BatchSize = 500 };

        var ids = new List<long>();
        string token;
        using (var channelA = a.CreateChannel())
        {
            using var call = new RowsService.RowsServiceClient(channelA).StreamRows(request, LlmCalls.Bearer(Key), cancellationToken: TestTimeout.Token());
            Assert.True(await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded()); // schema
            Assert.True(await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded()); // first batch
            ids.AddRange(call.ResponseStream.Current.Batch.Rows.Select(r => r.Values[0].IntValue));

            // The client has stopped reading: the server is held by flow control, far from the end.
            a.Services.GetRequiredService<DrainCoordinator>().BeginDrain();
            var drained = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                while (await call.ResponseStream.MoveNext(TestTimeout.Token()).Bounded())
                {
                    ids.AddRange(call.ResponseStream.Current.Batch.Rows.Select(r => r.Values[0].IntValue));
                }
            });

            Assert.True(drained.StatusCode == StatusCode.Unavailable, drained.ToString());
            token = drained.Trailers.GetValue("streamgrpc-resume-token") ?? "";
        }

        Assert.NotEmpty(token);
        Assert.InRange(ids.Count, 1, Limit - 1);

        using var channelB = b.CreateChannel();
        request.ResumeToken = token;
        using (var rest = new RowsService.RowsServiceClient(channelB).StreamRows(request, LlmCalls.Bearer(Key), cancellationToken: TestTimeout.Token()))
        {
            await foreach (var response in rest.ResponseStream.ReadAllAsync(TestTimeout.Token()))
            {
                if (response.KindCase == StreamRowsResponse.KindOneofCase.Batch)
                {
                    ids.AddRange(response.Batch.Rows.Select(r => r.Values[0].IntValue));
                }
            }
        }

        Assert.Equal(Limit, ids.Count);
        Assert.Equal(Limit, ids.Distinct().Count());
        Assert.True(ids.SequenceEqual(ids.Order()));
    }
}
