using System.Text.Json;
using Ser.Api.Jobs;
using Ser.Core.Data.Splits;
using Ser.Training.Loops;
using Ser.Training.Recipes;
using Ser.Training.Runs;
using Ser.Training.Storage;

namespace Ser.Api.Tests.ScaleOut;

/// <summary>One PostgreSQL server for the class (skipped with the reason where PostgreSQL is not installed).</summary>
public sealed class PostgresFixture : IDisposable
{
    private readonly PostgresServer? _server;

    public PostgresFixture() => (_server, Missing) = PostgresServer.TryStart();

    public string? Missing { get; }

    public string ConnectionString => _server?.ConnectionString ?? throw new InvalidOperationException(Missing);

    public void Dispose() => _server?.Dispose();
}

/// <summary>The registry and the job records behave the same on SQLite and PostgreSQL, and hold up when several
/// processes (here: several independent connections) race for the same run or job.</summary>
public sealed class SharedDatabaseTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("ser-db-").FullName;
    private int _databases;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    public static TheoryData<string> Backends => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Backends))]
    public void Runs_are_listed_filtered_and_completed_the_same_on_both_backends(string backend)
    {
        var registry = new RunRegistry(Open(backend));
        var run = "r-" + Guid.NewGuid().ToString("N")[..8];
        registry.Add(Spec(run));
        registry.SetState(run, new RunStatus(RunState.Running), splitHash: "abc");
        Assert.Equal(RunState.Running, registry.Find(run)!.State);
        Assert.Null(registry.Find(run)!.FinishedAt);

        Assert.False(registry.TryAdd(Spec(run) with { Preset = "resnet18" })); // a taken id leaves the run as it was
        Assert.Equal("resnet18-tiny", registry.Find(run)!.Preset);

        registry.Complete(run, 0.6, 0.55, 0.5, 12, new RunStatus(RunState.Succeeded, FinishedAt: DateTimeOffset.UtcNow));
        var done = registry.Find(run)!;
        Assert.Equal((RunState.Succeeded, 0.6, 0.55, 0.5, "abc"), (done.State, done.Wa!.Value, done.Ua!.Value, done.MacroF1!.Value, done.SplitHash));
        Assert.True(done.SpeakerIndependent);
        Assert.Contains(registry.List(architecture: "resnet18", state: RunState.Succeeded), r => r.RunId == run);
        Assert.DoesNotContain(registry.List(architecture: "wav2vec2"), r => r.RunId == run);

        registry.SetActive("resnet18", run);
        Assert.Equal(run, new RunRegistry(Open(backend, reuse: true)).GetActive("resnet18"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void A_runs_whole_state_round_trips_through_its_row_on_both_backends(string backend)
    {
        var registry = new RunRegistry(Open(backend));
        var run = "r-" + Guid.NewGuid().ToString("N")[..8];
        registry.Add(Spec(run));
        var started = DateTimeOffset.UtcNow;
        var progress = new TrainingProgress("step", 1, 2, 3, 8, 1.5, 1e-3, 12, 40, ValidationUa: 0.4);

        registry.SetState(run, new RunStatus(RunState.Queued)); // nulls everywhere: typed right for PostgreSQL too
        registry.SetState(run, new RunStatus(RunState.Running, started, Progress: progress, Attempt: 2), splitHash: "abc");
        var running = registry.Find(run)!;
        registry.Complete(run, 0.6, 0.55, 0.5, 12, new RunStatus(RunState.Succeeded, started, started.AddMinutes(1), ResumedFromStep: 3, Attempt: 2));
        var done = registry.Find(run)!;

        Assert.Equal(new RunStatus(RunState.Running, started, Progress: progress, Attempt: 2), running.Status);
        Assert.Equal("abc", running.SplitHash);
        Assert.Equal(new RunStatus(RunState.Succeeded, started, started.AddMinutes(1), ResumedFromStep: 3, Attempt: 2), done.Status);
        Assert.Equal(0.55, done.Ua);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Of_eight_processes_racing_for_a_run_lease_exactly_one_wins(string backend)
    {
        var registries = Enumerable.Range(0, 8).Select(_ => new RunRegistry(Open(backend, reuse: true))).ToArray();
        using var start = new Barrier(registries.Length);
        var won = await Task.WhenAll(registries.Select((r, i) => Task.Run(() =>
        {
            start.SignalAndWait(TestContext.Current.CancellationToken);
            return r.TryLease("r-race", $"host:{i}:0", TimeSpan.FromMinutes(2));
        }, TestContext.Current.CancellationToken)));

        Assert.Single(won, w => w);
        var holder = registries[0].Lease("r-race")!.Value.Owner;
        Assert.True(registries[1].TryLease("r-race", "host:9:0", TimeSpan.FromMinutes(2), owner => owner == holder)); // holder died
        Assert.False(registries[2].TryLease("r-race", "host:10:0", TimeSpan.FromMinutes(2), owner => owner == holder)); // not twice
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Concurrent_job_updates_from_two_processes_lose_nothing(string backend)
    {
        var api = new JobStore(Open(backend));
        var worker = new JobStore(Open(backend, reuse: true));
        var id = JobStore.NewId();
        Assert.True(api.TryAdd(new JobRecord(id, "train", JobState.Queued, DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(new { }), ["r-1"])));
        Assert.False(worker.TryAdd(new JobRecord(id, "train", JobState.Failed, DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(new { }), [])));

        await Task.WhenAll(new[] { api, worker }.Select(store => Task.Run(() =>
        {
            for (var i = 0; i < 25; i++) store.Update(id, j => j with { Attempt = j.Attempt + 1 });
        }, TestContext.Current.CancellationToken)));
        api.Update(id, j => j with { CancelRequested = true });

        var job = worker.Find(id)!;
        Assert.Equal(50, job.Attempt);
        Assert.True(job.CancelRequested);
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(id, worker.InState(JobState.Queued).Single(j => j.Id == id).Id);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Of_sixteen_processes_adding_a_job_with_one_idempotency_key_exactly_one_succeeds(string backend)
    {
        var stores = Enumerable.Range(0, 16).Select(_ => new JobStore(Open(backend, reuse: true))).ToArray();
        var key = Guid.NewGuid().ToString("N");
        using var start = new Barrier(stores.Length);
        var added = await Task.WhenAll(stores.Select(store => Task.Run(() =>
        {
            var job = Job(key, DateTimeOffset.UtcNow);
            start.SignalAndWait(TestContext.Current.CancellationToken);
            return (store.TryAdd(job), job.Id);
        }, TestContext.Current.CancellationToken)));

        var winner = Assert.Single(added, a => a.Item1);
        Assert.All(stores, store => Assert.Equal(winner.Id, store.FindByIdempotencyKey(key)!.Id));
        Assert.All(added.Where(a => !a.Item1), a => Assert.Null(stores[0].Find(a.Id)));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void An_idempotency_key_names_its_job_for_24_hours_and_may_start_a_new_one_after(string backend)
    {
        var jobs = new JobStore(Open(backend));
        var key = Guid.NewGuid().ToString("N");
        var old = Job(key, DateTimeOffset.UtcNow.AddHours(-25));
        Assert.True(jobs.TryAdd(old));
        Assert.Null(jobs.FindByIdempotencyKey(key));

        var fresh = Job(key, DateTimeOffset.UtcNow);
        Assert.True(jobs.TryAdd(fresh));
        Assert.False(jobs.TryAdd(Job(key, DateTimeOffset.UtcNow)));

        Assert.Equal(fresh.Id, jobs.FindByIdempotencyKey(key)!.Id);
        Assert.Equal(key, jobs.Find(old.Id)!.IdempotencyKey); // the old job itself is kept
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void A_jobs_table_from_before_idempotency_keys_gets_its_columns_and_keeps_its_jobs(string backend)
    {
        var database = backend == "postgres" ? FreshPostgres() : Open(backend);
        var id = JobStore.NewId();
        database.Execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, body TEXT NOT NULL)");
        database.Execute("INSERT INTO jobs (id, created_at, body) VALUES (@id, @created, @body)", ("@id", id), ("@created", "2026-01-01T00:00:00.0000000+00:00"),
            ("@body", JsonSerializer.Serialize(Job(null, DateTimeOffset.UtcNow) with { Id = id }, RunStore.Json)));

        var jobs = new JobStore(database);
        _ = new JobStore(database); // a second process starting: nothing left to migrate

        Assert.Equal(id, jobs.Find(id)!.Id);
        Assert.Equal(1, jobs.CountByState()[JobState.Queued]); // its state column filled in from the body
        Assert.Equal(id, Assert.Single(jobs.Page(JobState.Queued, 10, null).Items).Id);
        var keyed = Job("k", DateTimeOffset.UtcNow);
        Assert.True(jobs.TryAdd(keyed));
        Assert.Equal(keyed.Id, jobs.FindByIdempotencyKey("k")!.Id);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Jobs_page_newest_first_by_keyset_with_the_state_filter_and_counts_in_sql(string backend)
    {
        var jobs = new JobStore(backend == "postgres" ? FreshPostgres() : Open(backend));
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        // Pairs share a millisecond, so the id breaks ties; every third job is running.
        var added = Enumerable.Range(0, 120).Select(i => Job(null, start.AddMilliseconds(i / 2)) with
            { State = i % 3 == 0 ? JobState.Running : JobState.Queued }).ToList();
        foreach (var job in added) Assert.True(jobs.TryAdd(job));
        jobs.Update(added[1].Id, j => j with { State = JobState.Failed }); // an update moves the state column too

        var pages = new List<IReadOnlyList<JobRecord>>();
        (long, string)? before = null;
        while (true)
        {
            var (items, more) = jobs.Page(null, 50, before);
            pages.Add(items);
            if (!more) break;
            before = (items[^1].CreatedAt.ToUnixTimeMilliseconds(), items[^1].Id);
        }

        Assert.Equal([50, 50, 20], pages.Select(p => p.Count));
        var expected = added.OrderByDescending(j => j.CreatedAt.ToUnixTimeMilliseconds()).ThenByDescending(j => j.Id, StringComparer.Ordinal)
            .Select(j => j.Id);
        Assert.Equal(expected, pages.SelectMany(p => p).Select(j => j.Id));
        var running = jobs.Page(JobState.Running, 500, null);
        Assert.False(running.More);
        Assert.Equal(40, running.Items.Count);
        Assert.All(running.Items, j => Assert.Equal(JobState.Running, j.State));
        Assert.Equal(new Dictionary<JobState, int> { [JobState.Running] = 40, [JobState.Queued] = 79, [JobState.Failed] = 1 }, jobs.CountByState());
        // What the recovery pass and the bootstrap read: filtered in SQL, not by loading every job.
        Assert.Equal(added.Where((_, i) => i % 3 == 0).Select(j => j.Id).Order(StringComparer.Ordinal),
            jobs.InState(JobState.Running).Select(j => j.Id).Order(StringComparer.Ordinal));
        var bootstrap = Job(null, start) with { Id = "j-bootstrap-1" };
        Assert.True(jobs.TryAdd(bootstrap));
        Assert.Equal(["j-bootstrap-1"], jobs.WithIdPrefix("j-bootstrap-").Select(j => j.Id));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Runs_page_by_keyset_after_a_given_run(string backend)
    {
        var registry = new RunRegistry(backend == "postgres" ? FreshPostgres() : Open(backend));
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var ids = Enumerable.Range(0, 120).Select(i => $"r-{i:D4}").ToList();
        for (var i = 0; i < ids.Count; i++) registry.Add(Spec(ids[i]) with { CreatedAt = start.AddSeconds(i / 2) });

        var seen = new List<string>();
        (string, string)? before = null;
        var sizes = new List<int>();
        while (true)
        {
            var rows = registry.List(limit: 51, before: before);
            var page = rows.Take(50).ToList();
            sizes.Add(page.Count);
            seen.AddRange(page.Select(r => r.RunId));
            if (rows.Count <= 50) break;
            before = (page[^1].CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture), page[^1].RunId);
        }

        Assert.Equal([50, 50, 20], sizes);
        Assert.Equal(Enumerable.Reverse(ids), seen);
    }

    private static JobRecord Job(string? key, DateTimeOffset created) =>
        new(JobStore.NewId(), "train", JobState.Queued, created, JsonSerializer.SerializeToElement(new { }), ["r-1"], IdempotencyKey: key);

    // A database of its own on the shared server: the other tests have made the current schema in the shared one.
    private SqlDatabase FreshPostgres()
    {
        if (postgres.Missing is { } missing) Assert.Skip(missing);
        var name = "mig" + Guid.NewGuid().ToString("N")[..8];
        using (var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString))
        {
            connection.Open();
            using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        return SqlDatabase.Postgres(new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = name }.ConnectionString);
    }

    private SqlDatabase Open(string backend, bool reuse = false)
    {
        if (backend == "sqlite") return SqlDatabase.Sqlite(Path.Combine(_temp, $"registry{(reuse ? _databases : ++_databases)}.db"));
        if (postgres.Missing is { } missing) Assert.Skip(missing);
        return SqlDatabase.Postgres(postgres.ConnectionString);
    }

    private static RunSpec Spec(string id) =>
        new(id, "train", "resnet18", "resnet18-tiny", "synthetic", "synthetic", "/data", new SplitSpec(SplitStrategy.Actor, 7),
            ResNetRecipe.Defaults(new HyperParameters(), Ser.Core.Models.ModelPresets.ResNet18Tiny), null, null, "cpu", DateTimeOffset.UtcNow);
}
