using System.Diagnostics;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Evaluation;
using Aftercare.App.Measures;
using Aftercare.Domain.People;
using Aftercare.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Aftercare.Bench;

/// <summary>
/// The dashboard's measures and the programme evaluation on PostgreSQL with a large synthetic
/// record (docs/performance.md). `--seed` migrates and seeds an empty database; without it, the
/// cases run against what is there, each beside a raw Npgsql baseline of the same rows, in one
/// process, so that the ratios compare like with like.
/// </summary>
public static class MeasuresPg
{
    private static readonly DateOnly From = new(2025, 1, 1);
    private static readonly DateOnly To = new(2025, 12, 31);
    private static readonly DateTimeOffset Now = new(2026, 12, 31, 0, 0, 0, TimeSpan.Zero);

    public sealed record Stage(string Name, TimeSpan Elapsed, long Allocated, long PeakWorkingSet, string Result);

    public static async Task<int> Run(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var connection = Arg("--connection") ?? Environment.GetEnvironmentVariable("AFTERCARE_BENCH_POSTGRES");
        if (connection is null)
        {
            Console.Error.WriteLine("measures-pg needs --connection \"Host=…;Database=…\" (bench/run-measures-pg.sh starts a throwaway PostgreSQL and passes it).");
            return 2;
        }

        var people = int.Parse(Arg("--people") ?? "1000000", System.Globalization.CultureInfo.InvariantCulture);
        var keys = Arg("--keys") ?? Path.Combine(Path.GetTempPath(), "aftercare-bench-keys");
        var app = global::Program.BuildWebApp(new HostSettings
        {
            Database = connection,
            Overrides =
            {
                ["urls"] = "http://127.0.0.1:0",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft"] = "Warning",
                ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
                ["Aftercare:Messaging:RunWorker"] = "false",
                ["Aftercare:DataProtection:KeysFolder"] = keys,
            },
        });

        if (args.Contains("--seed"))
        {
            Console.WriteLine($"Seeding {people:N0} synthetic index presentations into PostgreSQL");
            await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false);
            await MeasuresSeed.Run(connection, people, app.Services.GetRequiredService<FieldEncryption>());
            return 0;
        }

        await Measure(app.Services, connection);
        return 0;
    }

    private static async Task Measure(IServiceProvider services, string connectionString)
    {
        var time = services.GetRequiredService<LocalTime>();
        var from = time.FromLocal(From.ToDateTime(TimeOnly.MinValue));
        var to = time.FromLocal(To.AddDays(1).ToDateTime(TimeOnly.MinValue));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var counts = new List<string>();
        foreach (var table in new[] { "People", "Presentations", "Episodes", "Contacts", "Referrals", "SafetyPlans" })
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", connection);
            counts.Add($"{table} {(long)(await command.ExecuteScalarAsync())!:N0}");
        }

        Console.WriteLine($"Measures and evaluation on PostgreSQL: {string.Join(", ", counts)}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"Window {From:yyyy-MM-dd} to {To:yyyy-MM-dd} ({time.Zone.Id}); evaluation as of {Now:yyyy-MM-dd}");

        using var sampler = new PeakSampler();
        var stages = new List<Stage>();
        async Task<T> Run<T>(string name, Func<Task<T>> work, Func<T, string> describe)
        {
            // An aggressive collection gives memory back to the system: each stage's peak starts low.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            sampler.Reset();
            var allocated = GC.GetTotalAllocatedBytes(true);
            var clock = Stopwatch.StartNew();
            var result = await work();
            clock.Stop();
            var stage = new Stage(name, clock.Elapsed, GC.GetTotalAllocatedBytes(true) - allocated, sampler.Peak, describe(result));
            stages.Add(stage);
            Console.WriteLine($"  {name,-62} {stage.Elapsed.TotalSeconds,8:F2} s {stage.Allocated / (1024 * 1024),7:N0} MiB alloc {stage.PeakWorkingSet / (1024 * 1024),7:N0} MiB peak WS  {stage.Result}");
            return result;
        }

        async Task<ServiceMeasures.Report> Measures(MeasureFilter filter, Breakdown by)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            return await ServiceMeasures.Compute(db, time, filter, by, 5, default);
        }

        // A digest of every cell, so that two runs (before and after a change) can be compared.
        static string Describe(ServiceMeasures.Report r) =>
            $"{r.Parts.Count} parts; presentations {r.Measures[0].Total.Numerator}; first 48h {r.Measures.Single(m => m.Key == "first-48h").Total.Percent:F1}%; cells {Digest(r)}";

        // Warm the operating system's cache and the JIT, unmeasured: every case below reads warm pages.
        await Measures(new MeasureFilter(From, From), Breakdown.Site);
        await RawMeasureColumns(connection, from, to);
        await RawCohortColumns(connection);

        await Run("baseline: SELECT count(*) of presentations in the window", () => Count(connection, from, to), n => $"{n:N0} rows");
        var rawMeasures = await Run("baseline: raw select of the measures' columns (Npgsql)", () => RawMeasureColumns(connection, from, to), n => $"{n:N0} rows");
        var site = await FirstSite(connection);
        await Run("ServiceMeasures.Compute by Site, 12 months, all sites", () => Measures(new MeasureFilter(From, To), Breakdown.Site), Describe);
        await Run("ServiceMeasures.Compute by Month, 12 months, all sites", () => Measures(new MeasureFilter(From, To), Breakdown.Month), Describe);
        await Run("ServiceMeasures.Compute by Month, one site", () => Measures(new MeasureFilter(From, To, SiteId: site), Breakdown.Month), Describe);
        await Run("ServiceMeasures.Compute by Sex, age 25 to 44, prior history", () => Measures(new MeasureFilter(From, To, AgeBand: "25 to 44", History: PriorPsychiatricHistory.Yes), Breakdown.Sex), Describe);

        await Run("baseline: raw select of the cohort's columns (Npgsql)", () => RawCohortColumns(connection), n => $"{n:N0} rows");
        var cohort = await Run("ExtractCohort.Handle (all people)", async () =>
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            return await ExtractCohort.Handle(db, Now, new byte[32], new EvaluationSettings());
        }, c => $"{c.Rows.Count:N0} in the cohort of {c.People:N0} people");
        await Run("EvaluateProgramme.Run (KM, log-rank, 11 Cox fits)", () => Task.FromResult(EvaluateProgramme.Run(cohort.Rows)),
            e => $"engaged HR {e.Outcomes[0].EngagementAdjusted["Engaged"]?.HazardRatio:F3}");

        Console.WriteLine();
        Console.WriteLine("Ratios to the baselines of this run (time; peak working set during the stage):");
        Stage Named(string prefix) => stages.First(s => s.Name.StartsWith(prefix, StringComparison.Ordinal));
        var count = Named("baseline: SELECT count(*)");
        var measureBase = Named("baseline: raw select of the measures'");
        var cohortBase = Named("baseline: raw select of the cohort's");
        foreach (var s in stages.Where(s => s.Name.StartsWith("ServiceMeasures", StringComparison.Ordinal)))
        {
            Console.WriteLine($"  {s.Name,-62} {Ratio(s, measureBase)} of the raw select; {s.Elapsed / count.Elapsed,7:F1}x the count");
        }

        var extract = Named("ExtractCohort");
        var evaluate = Named("EvaluateProgramme");
        Console.WriteLine($"  {extract.Name,-62} {Ratio(extract, cohortBase)} of the raw select");
        Console.WriteLine($"  {"extract + evaluate",-62} {(extract.Elapsed + evaluate.Elapsed) / cohortBase.Elapsed,7:F2}x time of the raw select");
        Console.WriteLine($"peak working set of the process: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024):N0} MiB; rows read by the raw measures select {rawMeasures:N0}");
    }

    private static string Digest(ServiceMeasures.Report r) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join(";",
        r.Measures.Select(m => $"{m.Key}:{string.Join(",", m.Parts.Append(m.Total).Select(c => $"{c.Numerator}/{c.Denominator}"))}")))))[..12];

    private static string Ratio(Stage s, Stage baseline) =>
        $"{s.Elapsed / baseline.Elapsed,7:F2}x time, {(double)s.PeakWorkingSet / baseline.PeakWorkingSet,5:F2}x peak WS";

    private static async Task<long> Count(NpgsqlConnection connection, DateTimeOffset from, DateTimeOffset to)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM \"Presentations\" WHERE \"ArrivedAt\" >= $1 AND \"ArrivedAt\" < $2", connection)
        {
            Parameters = { new() { Value = from }, new() { Value = to } },
        };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The columns ServiceMeasures reads for the presentations in the window, read and dropped.</summary>
    private static async Task<long> RawMeasureColumns(NpgsqlConnection connection, DateTimeOffset from, DateTimeOffset to)
    {
        await using var command = new NpgsqlCommand(
            "SELECT p.\"Id\", p.\"PersonId\", p.\"ArrivedAt\", p.\"SiteId\", p.\"PsychosocialAssessmentAt\", x.\"DateOfBirth\", x.\"Sex\", x.\"PriorPsychiatricHistory\" "
            + "FROM \"Presentations\" p JOIN \"People\" x ON x.\"Id\" = p.\"PersonId\" WHERE p.\"ArrivedAt\" >= $1 AND p.\"ArrivedAt\" < $2", connection)
        {
            Parameters = { new() { Value = from }, new() { Value = to } },
            CommandTimeout = 0,
        };
        return await ReadAll(command, reader =>
        {
            reader.GetGuid(0);
            reader.GetGuid(1);
            reader.GetFieldValue<DateTimeOffset>(2);
            reader.GetGuid(3);
            if (!reader.IsDBNull(4))
            {
                reader.GetFieldValue<DateTimeOffset>(4);
            }

            reader.GetFieldValue<DateOnly>(5);
            reader.GetString(6);
            reader.GetString(7);
        });
    }

    /// <summary>The four selects ExtractCohort makes, read and dropped.</summary>
    private static async Task<long> RawCohortColumns(NpgsqlConnection connection)
    {
        long rows = 0;
        await using (var people = new NpgsqlCommand("SELECT \"Id\", \"DateOfBirth\", \"Sex\", \"PriorPsychiatricHistory\" FROM \"People\"", connection) { CommandTimeout = 0 })
        {
            rows += await ReadAll(people, r => _ = (r.GetGuid(0), r.GetFieldValue<DateOnly>(1), r.GetString(2), r.GetString(3)));
        }

        await using (var presentations = new NpgsqlCommand("SELECT \"Id\", \"PersonId\", \"ArrivedAt\" FROM \"Presentations\"", connection) { CommandTimeout = 0 })
        {
            rows += await ReadAll(presentations, r => _ = (r.GetGuid(0), r.GetGuid(1), r.GetFieldValue<DateTimeOffset>(2)));
        }

        await using (var episodes = new NpgsqlCommand("SELECT \"Id\", \"PresentationId\", \"PathwayId\" FROM \"Episodes\"", connection) { CommandTimeout = 0 })
        {
            rows += await ReadAll(episodes, r => _ = (r.GetGuid(0), r.GetGuid(1), r.GetString(2)));
        }

        await using (var contacts = new NpgsqlCommand(
            "SELECT \"PersonId\", \"EpisodeId\", \"CompletedAt\" FROM \"Contacts\" WHERE \"Status\" = 'Done' AND \"Outcome\" = 'Reached' AND \"CompletedAt\" IS NOT NULL", connection) { CommandTimeout = 0 })
        {
            rows += await ReadAll(contacts, r => _ = (r.GetGuid(0), r.GetGuid(1), r.GetFieldValue<DateTimeOffset>(2)));
        }

        return rows;
    }

    private static async Task<long> ReadAll(NpgsqlCommand command, Action<NpgsqlDataReader> read)
    {
        long rows = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            read(reader);
            rows++;
        }

        return rows;
    }

    private static async Task<Guid> FirstSite(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT \"Id\" FROM \"Sites\" WHERE \"Code\" = 'BENCH-01'", connection);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The process's working set, sampled every 10 ms: the peak since the last reset.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public PeakSampler() => _timer = new Timer(_ => Sample(), null, 0, 10);

        public long Peak
        {
            get
            {
                Sample();
                return Interlocked.Read(ref _peak);
            }
        }

        public void Reset() => Interlocked.Exchange(ref _peak, Environment.WorkingSet);

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            var now = Environment.WorkingSet;
            long seen;
            while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }
        }
    }
}
