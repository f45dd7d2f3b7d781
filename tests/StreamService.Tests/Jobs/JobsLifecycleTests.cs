using System.Diagnostics;
using Grpc.Core;
using StreamGrpc.V1;
using StreamService.Tests.Infrastructure;
using StreamService.Tests.Postgres;

namespace StreamService.Tests.Jobs;

/// <summary>Jobs outlive their streams: cancel, re-attach, several watchers, restarts. An import
/// into <c>jobs_blocked</c> stops at row <see cref="JobsTestData.BlockAtId"/> while the test holds
/// the block lock, which makes "mid-way" a fact instead of a race.</summary>
[Collection(PostgresCollection.Name)]
public sealed class JobsLifecycleTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const long Rows = 20_000;
    private readonly string _root = JobsTestData.NewRoot();

    public async Task InitializeAsync()
    {
        await JobsTestData.CreatePeopleTableAsync(postgres, "jobs_blocked", blocking: true);
        // Lines 10..20 are malformed: their rejected events are written before the block.
        JobsTestData.WritePeopleCsv(Path.Combine(_root, "blocked.csv"), Rows, i => i is >= 9 and <= 19 ? $"{i},bad,x,NaN-age,2020-01-01,1" : null);
    }

    public Task DisposeAsync()
    {
        JobsTestData.DeleteRoot(_root);
        return Task.CompletedTask;
    }

    private static StartImportRequest BlockedImport() => new()
    {
        Root = "imports", Path = "blocked.csv", Format = ImportFormat.Csv, Table = "jobs_blocked", Csv = new ImportCsvOptions { Header = true },
    };

    [Fact]
    public async Task Cancel_MidImportWaitingInTheDatabase_FailsCancelledWithinASecondAndLeavesNoRows()
    {
        await using var host = await JobsTestHost.StartAsync(postgres, _root);
        await using (await JobsTestData.HoldBlockLockAsync(postgres))
        {
            using var call = host.Client.StartImport(BlockedImport());
            var first = await JobsTestHost.CollectAsync(call, e => e.KindCase == JobEvent.KindOneofCase.Progress);
            await JobsTestData.WaitUntilBlockedAsync(postgres);

            // The COPY waits in the database (the trigger's lock), where no client token reaches it:
            // the cancel must reach its backend, not wait for it to move on.
            var sinceCancel = Stopwatch.StartNew();
            var info = await host.Client.CancelAsync(new CancelJobRequest { JobId = first[0].JobId }).ResponseAsync.Bounded();
            Assert.True(info.CancelRequested);
            var rest = await JobsTestHost.CollectAsync(call);
            var terminal = sinceCancel.Elapsed;

            var failed = rest[^1].Failed;
            Assert.Equal((int)StatusCode.Cancelled, failed.Code);
            Assert.Equal(JobState.Cancelled, failed.State);
            Assert.True(terminal < TimeSpan.FromSeconds(1), $"the cancelled job's terminal event came {terminal.TotalMilliseconds:F0} ms after the Cancel call");
            JobsImportTests.AssertGapless([.. first, .. rest]);
            Assert.Equal(0L, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_blocked"));
        }

        var job = await host.Client.ListAsync(new ListJobsRequest { Limit = 1 }).ResponseAsync.Bounded();
        Assert.Equal(JobState.Cancelled, job.Jobs[0].State);
        Assert.Equal(0L, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_blocked"));
    }

    [Fact]
    public async Task Watch_AfterDisconnect_ReplaysExactlyTheMissedEventsThenLiveOnes()
    {
        await using var host = await JobsTestHost.StartAsync(postgres, _root);
        var blockLock = await JobsTestData.HoldBlockLockAsync(postgres);
        try
        {
            // Attach, see the start, then drop the stream: the job carries on (11 rejects, then the block).
            List<JobEvent> seen;
            using (var cts = new CancellationTokenSource())
            using (var call = host.Client.StartImport(BlockedImport(), cancellationToken: cts.Token))
            {
                seen = await JobsTestHost.CollectAsync(call, e => e.Sequence == 2);
                cts.Cancel();
            }

            var jobId = seen[0].JobId;
            await JobsTestData.WaitUntilBlockedAsync(postgres);
            var stored = await postgres.ScalarAsync<long>($"SELECT last_sequence FROM streamgrpc_jobs WHERE id = '{jobId}'");
            Assert.True(stored >= 2 + 11, $"only {stored} events stored");

            using var watch = host.Client.Watch(new WatchJobRequest { JobId = jobId, AfterSequence = 2 });
            var replay = await JobsTestHost.CollectAsync(watch, e => e.Sequence == stored);
            Assert.Equal(Enumerable.Range(3, (int)stored - 2).Select(i => (long)i), replay.Select(e => e.Sequence));
            Assert.Equal(11, replay.Count(e => e.KindCase == JobEvent.KindOneofCase.Rejected));

            await blockLock.DisposeAsync();
            var live = await JobsTestHost.CollectAsync(watch);

            JobsImportTests.AssertGapless([.. seen, .. replay, .. live]);
            Assert.Equal(JobEvent.KindOneofCase.Completed, live[^1].KindCase);
            Assert.Equal(Rows - 11, live[^1].Completed.RowsImported);
            Assert.Equal(Rows - 11, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_blocked"));
        }
        finally
        {
            await blockLock.DisposeAsync();
        }
    }

    [Fact]
    public async Task Watch_TwoWatchersOnTwoInstances_SeeTheSameSequence()
    {
        await using var runner = await JobsTestHost.StartAsync(postgres, _root);
        await using var other = await JobsTestHost.StartAsync(postgres, _root);
        var blockLock = await JobsTestData.HoldBlockLockAsync(postgres);
        try
        {
            using var start = runner.Client.StartImport(BlockedImport());
            var jobId = (await JobsTestHost.CollectAsync(start, e => true))[0].JobId;

            using var here = runner.Client.Watch(new WatchJobRequest { JobId = jobId });
            using var there = other.Client.Watch(new WatchJobRequest { JobId = jobId });
            var hereFirst = await JobsTestHost.CollectAsync(here, e => e.KindCase == JobEvent.KindOneofCase.Progress);
            var thereFirst = await JobsTestHost.CollectAsync(there, e => e.KindCase == JobEvent.KindOneofCase.Progress);
            await JobsTestData.WaitUntilBlockedAsync(postgres);

            // Everything after this point reaches the watchers live (the other instance by NOTIFY).
            await blockLock.DisposeAsync();
            var hereAll = hereFirst.Concat(await JobsTestHost.CollectAsync(here)).ToList();
            var thereAll = thereFirst.Concat(await JobsTestHost.CollectAsync(there)).ToList();

            JobsImportTests.AssertGapless(hereAll);
            Assert.Equal(1, hereAll[0].Sequence);
            Assert.Equal(hereAll.Select(e => e.ToString()), thereAll.Select(e => e.ToString()));
            Assert.Equal(JobEvent.KindOneofCase.Completed, hereAll[^1].KindCase);
        }
        finally
        {
            await blockLock.DisposeAsync();
        }
    }

    [Fact]
    public async Task Restart_SameInstanceId_MarksTheRunningJobFailedAndLeavesNoRows()
    {
        const string instance = "jobs-restart-test";
        var before = await JobsTestHost.StartAsync(postgres, _root, instance);
        var beforeStopped = false;
        var blockLock = await JobsTestData.HoldBlockLockAsync(postgres);
        string jobId;
        try
        {
            using (var call = before.Client.StartImport(BlockedImport()))
            {
                jobId = (await JobsTestHost.CollectAsync(call, e => e.KindCase == JobEvent.KindOneofCase.Progress))[0].JobId;
            }

            // The "restarted" process: same instance id, same database; the old one is still stuck.
            await using var after = await JobsTestHost.StartAsync(postgres, _root, instance);
            using var watch = after.Client.Watch(new WatchJobRequest { JobId = jobId });
            var events = await JobsTestHost.CollectAsync(watch);

            JobsImportTests.AssertGapless(events);
            var failed = events[^1].Failed;
            Assert.Equal((int)StatusCode.Aborted, failed.Code);
            Assert.Contains("restarted", failed.Message);
            var lastSequence = events[^1].Sequence;

            // Let the old process's COPY go on: its fenced writes find the job taken over and roll back.
            await blockLock.DisposeAsync();
            beforeStopped = true;
            await before.DisposeAsync();

            Assert.Equal(0L, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_blocked"));
            Assert.Equal(lastSequence, await postgres.ScalarAsync<long>($"SELECT last_sequence FROM streamgrpc_jobs WHERE id = '{jobId}'"));
            Assert.Equal((short)JobState.Failed, await postgres.ScalarAsync<short>($"SELECT state FROM streamgrpc_jobs WHERE id = '{jobId}'"));
        }
        finally
        {
            await blockLock.DisposeAsync();
            if (!beforeStopped)
            {
                await before.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Stop_RunningJob_RecordsTheShutdownAndLeavesNoRows()
    {
        var host = await JobsTestHost.StartAsync(postgres, _root);
        await using var blockLock = await JobsTestData.HoldBlockLockAsync(postgres);
        string jobId;
        await using (host)
        {
            using var call = host.Client.StartImport(BlockedImport());
            jobId = (await JobsTestHost.CollectAsync(call, e => e.KindCase == JobEvent.KindOneofCase.Progress))[0].JobId;
            await JobsTestData.WaitUntilBlockedAsync(postgres);
        }

        // Stopping waited for the job: it cancelled the stuck COPY and recorded why it ended.
        Assert.Equal((short)JobState.Failed, await postgres.ScalarAsync<short>($"SELECT state FROM streamgrpc_jobs WHERE id = '{jobId}'"));
        Assert.Contains("service stopped", await postgres.ScalarAsync<string>($"SELECT message FROM streamgrpc_jobs WHERE id = '{jobId}'"));
        Assert.Equal(0L, await postgres.ScalarAsync<long>("SELECT count(*) FROM jobs_blocked"));
    }
}
