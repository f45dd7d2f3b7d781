using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Rows;
using StreamService.Tests.Postgres;
using Xunit;
using static StreamService.Tests.Rows.RowsQueryTests;

namespace StreamService.Tests.Rows;

/// <summary>Resume tokens, cancellation and database failures, on the real database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RowsResumeTests(PostgresFixture postgres) : IAsyncLifetime
{
    private RowsHarness _rows = null!;

    public async Task InitializeAsync()
    {
        await RowsTestData.EnsureAsync(postgres);
        _rows = RowsHarness.Create(postgres);
    }

    public async Task DisposeAsync() => await _rows.DisposeAsync();

    [Fact]
    public async Task StreamRows_ResumeFromBatchToken_ContinuesWithoutGapOrDuplicate()
    {
        var request = Request(limit: 2000, batchSize: 100);
        var first = (await _rows.CallAsync(request)).Succeeded();
        var token = first.Batches[4].ResumeToken;

        var resumed = (await _rows.CallAsync(Resume(request, token, batchSize: 300))).Succeeded();

        Assert.Equal(Enumerable.Range(501, 1500).Select(i => (long)i), resumed.Ids);
    }

    [Fact]
    public async Task StreamRows_ResumeWithFilterAndCompositeKey_ContinuesWithoutGapOrDuplicate()
    {
        var request = new StreamRowsRequest { Dataset = "pairs", Columns = { "v" }, BatchSize = 7 };
        request.Filters.Add(F("v", FilterOperator.GreaterOrEqual, Int(13)));
        var first = (await _rows.CallAsync(request)).Succeeded();
        var token = first.Batches[3].ResumeToken; // after 28 rows: v = 13..40

        var resumed = (await _rows.CallAsync(Resume(request, token))).Succeeded();

        Assert.Equal(Enumerable.Range(41, 259).Select(i => (long)i), resumed.Rows.Select(r => r.Values[0].IntValue));
    }

    [Fact]
    public async Task StreamRows_ResumeWithLimit_CountsRowsAlreadyDelivered()
    {
        var request = Request(limit: 25, batchSize: 10);
        var first = (await _rows.CallAsync(request)).Succeeded();

        var resumed = (await _rows.CallAsync(Resume(request, first.Batches[0].ResumeToken))).Succeeded();
        var afterLast = (await _rows.CallAsync(Resume(request, first.Batches[^1].ResumeToken))).Succeeded();

        Assert.Equal(Enumerable.Range(11, 15).Select(i => (long)i), resumed.Ids);
        Assert.Empty(afterLast.Rows);
    }

    [Fact]
    public async Task StreamRows_TamperedToken_IsRejected()
    {
        var request = Request(limit: 100, batchSize: 10);
        var token = (await _rows.CallAsync(request)).Succeeded().Batches[2].ResumeToken;

        for (var i = 0; i < token.Length; i += Math.Max(1, token.Length / 16))
        {
            var chars = token.ToCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            var result = await _rows.CallAsync(Resume(request, new string(chars)));
            Assert.Equal(StatusCode.InvalidArgument, result.Error?.StatusCode);
        }

        Assert.Equal(StatusCode.InvalidArgument, (await _rows.CallAsync(Resume(request, token[..^2]))).Error?.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await _rows.CallAsync(Resume(request, token + "AA"))).Error?.StatusCode);
    }

    [Fact]
    public async Task StreamRows_TokenOfAnotherQuery_IsRejected()
    {
        var request = Request(limit: 100, batchSize: 10);
        var token = (await _rows.CallAsync(request)).Succeeded().Batches[2].ResumeToken;

        var otherLimit = Resume(request, token);
        otherLimit.Limit = 101;
        var otherColumns = Resume(request, token);
        otherColumns.Columns.Add("name");
        var otherFilter = Resume(request, token);
        otherFilter.Filters.Add(F("id", FilterOperator.Greater, Int(0)));

        Assert.Equal(StatusCode.InvalidArgument, (await _rows.CallAsync(otherLimit)).Error?.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await _rows.CallAsync(otherColumns)).Error?.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await _rows.CallAsync(otherFilter)).Error?.StatusCode);
    }

    [Fact]
    public async Task StreamRows_TokenSignedWithAnotherKey_IsRejected()
    {
        var request = Request(limit: 100, batchSize: 10);
        await using var otherService = RowsHarness.Create(postgres, new Dictionary<string, string?>
        {
            ["StreamGrpc:Rows:ResumeTokenKey"] = Convert.ToBase64String(new byte[48]),
        });
        var foreignToken = (await otherService.CallAsync(request)).Succeeded().Batches[2].ResumeToken;

        var result = await _rows.CallAsync(Resume(request, foreignToken));

        Assert.Equal(StatusCode.InvalidArgument, result.Error?.StatusCode);
    }

    [Fact]
    public async Task StreamRows_TokenFromAnotherInstanceWithSameKey_Resumes()
    {
        var request = Request(limit: 100, batchSize: 10);
        var token = (await _rows.CallAsync(request)).Succeeded().Batches[2].ResumeToken;
        await using var replica = RowsHarness.Create(postgres);

        var resumed = (await replica.CallAsync(Resume(request, token))).Succeeded();

        Assert.Equal(Enumerable.Range(31, 70).Select(i => (long)i), resumed.Ids);
    }

    [Fact]
    public async Task StreamRows_Cancelled_CancelsTheQueryAtOnceAndReturnsTheConnection()
    {
        // Every row of the slow view costs the server 2 ms: reading the rest of the result after
        // a cancel (what disposing an Npgsql reader does by default) would take about half an hour.
        using var cancel = new CancellationTokenSource();
        var request = new StreamRowsRequest { Dataset = "slow", BatchSize = 5 };

        var call = _rows.CallAsync(request, onWrite: (_, count) =>
        {
            if (count == 2)
            {
                cancel.Cancel();
            }

            return Task.CompletedTask;
        }, cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(0L, await postgres.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{_rows.ApplicationName}' AND state <> 'idle'"));
        Assert.Equal(1L, await postgres.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{_rows.ApplicationName}' AND state = 'idle'"));

        // The pooled connection is usable for the next stream.
        Assert.Equal(3, (await _rows.CallAsync(new StreamRowsRequest { Dataset = "slow", Limit = 3 })).Succeeded().Rows.Count);
    }

    [Fact]
    public async Task StreamRows_DatabaseFailsMidStream_IsUnavailableWithTokenThatResumesExactly()
    {
        const int total = 200_000;
        var request = Request(limit: total, batchSize: 1000);

        var broken = await _rows.CallAsync(request, onWrite: async (_, count) =>
        {
            if (count == 3)
            {
                await postgres.ExecuteAsync(
                    $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{_rows.ApplicationName}'");
            }
        });

        Assert.Equal(StatusCode.Unavailable, broken.Error?.StatusCode);
        Assert.DoesNotContain("SELECT", broken.Error!.Status.Detail, StringComparison.OrdinalIgnoreCase);
        var token = broken.Error.Trailers.GetValue(ResumeTrailers.Token);
        Assert.False(string.IsNullOrEmpty(token));
        Assert.Equal(broken.Batches[^1].ResumeToken, token);
        Assert.InRange(broken.Rows.Count, 2000, total - 1);

        var resumed = (await _rows.CallAsync(Resume(request, token))).Succeeded();

        var all = broken.Ids.Concat(resumed.Ids).ToList();
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), all);
    }

    [Fact]
    public async Task StreamRows_DatabaseUnreachable_IsUnavailableWithStartToken()
    {
        await using var rows = RowsHarness.Create(postgres, new Dictionary<string, string?>
        {
            // A port nobody listens on (the discard port), loopback only.
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=9;Username=streamgrpc;Database=streamgrpc;Timeout=3",
        });
        var request = Request(limit: 10, batchSize: 5);

        var result = await rows.CallAsync(request);

        Assert.Equal(StatusCode.Unavailable, result.Error?.StatusCode);
        var token = result.Error!.Trailers.GetValue(ResumeTrailers.Token);
        var resumed = (await _rows.CallAsync(Resume(request, token!))).Succeeded();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), resumed.Ids);
    }

    private static StreamRowsRequest Request(long limit, int batchSize) =>
        new() { Dataset = "events", Columns = { "id", "name", "amount" }, Limit = limit, BatchSize = batchSize };

    private static StreamRowsRequest Resume(StreamRowsRequest request, string token, int? batchSize = null)
    {
        var next = request.Clone();
        next.ResumeToken = token;
        next.BatchSize = batchSize ?? request.BatchSize;
        return next;
    }
}
