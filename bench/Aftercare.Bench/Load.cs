using System.Collections.Concurrent;
using System.Diagnostics;
using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.Bench;

/// <summary>A bounded load on loopback: a fixed number of requests from a few clients, timed one by one.</summary>
public static class Load
{
    private static int _shown;

    /// <param name="CpuMs">CPU time of this process (the server, and the clients it drives) over the case.</param>
    /// <param name="MachineCpuMs">
    /// CPU time of the whole machine over the case (/proc/stat, steal excluded), so PostgreSQL's
    /// share too; 0 where there is no /proc. On a machine whose speed drifts, CPU per request moves
    /// far less between runs than requests per second (docs/performance.md).
    /// </param>
    public sealed record Result(string Name, int Count, int Failures, TimeSpan Elapsed, double[] LatenciesMs, long AllocatedBytes, double CpuMs = 0, double MachineCpuMs = 0)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;

        /// <summary>One case's rounds as one result: their requests, time, latencies and allocations added up.</summary>
        public static Result Merge(IReadOnlyList<Result> rounds) => new(
            rounds[0].Name, rounds.Sum(r => r.Count), rounds.Sum(r => r.Failures), TimeSpan.FromTicks(rounds.Sum(r => r.Elapsed.Ticks)),
            [.. rounds.SelectMany(r => r.LatenciesMs)], rounds.Sum(r => r.AllocatedBytes), rounds.Sum(r => r.CpuMs), rounds.Sum(r => r.MachineCpuMs));

        public double Percentile(double p)
        {
            var sorted = LatenciesMs.Order().ToArray();
            return sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
        }
    }

    public static Task<Result> Run(string name, int count, int clients, Func<int, Task<HttpResponseMessage>> send, int offset = 0) =>
        Measure(name, count, clients, offset, async i =>
        {
            using var response = await send(i);
            if (!response.IsSuccessStatusCode && Interlocked.Exchange(ref _shown, 1) == 0)
            {
                Console.Error.WriteLine($"first failure ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
            }

            return response.IsSuccessStatusCode;
        });

    public static Task<Result> Direct(string name, int count, int clients, IServiceProvider services, Func<AftercareDbContext, int, Task> work, int offset = 0) =>
        Measure(name, count, clients, offset, async i =>
        {
            await using var scope = services.CreateAsyncScope();
            await work(scope.ServiceProvider.GetRequiredService<AftercareDbContext>(), i);
            return true;
        });

    /// <summary>Requests numbered from <paramref name="offset"/>, so that a case measured in several rounds never repeats one (an intake's MRN).</summary>
    private static async Task<Result> Measure(string name, int count, int clients, int offset, Func<int, Task<bool>> one)
    {
        // Warm up: the first requests pay for JIT and connection pools.
        for (var i = 0; i < Math.Min(20, count); i++)
        {
            await one(1_000_000 + offset + i);
        }

        var latencies = new ConcurrentBag<double>();
        var failures = 0;
        var next = -1;
        var allocated = GC.GetTotalAllocatedBytes(true);
        var (cpu, machine) = (Process.GetCurrentProcess().TotalProcessorTime, MachineCpu());
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                if (!await one(offset + i))
                {
                    Interlocked.Increment(ref failures);
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        clock.Stop();
        return new Result(name, count, failures, clock.Elapsed, [.. latencies], GC.GetTotalAllocatedBytes(true) - allocated,
            (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds, MachineCpu() - machine);
    }

    /// <summary>Milliseconds of CPU the machine has spent busy since boot (user, nice, system, irq, softirq; not idle, iowait or steal); 0 without /proc.</summary>
    private static double MachineCpu()
    {
        if (!File.Exists("/proc/stat"))
        {
            return 0;
        }

        // "cpu  user nice system idle iowait irq softirq steal ..." in clock ticks, 100 a second on Linux.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Ticks(int i) => long.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture);
        return (Ticks(1) + Ticks(2) + Ticks(3) + Ticks(6) + Ticks(7)) * 10.0;
    }

    public static async Task<IReadOnlyList<Guid>> People(IServiceProvider services, int take)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AftercareDbContext>().Presentations.Select(p => p.PersonId).Distinct().OrderBy(id => id).Take(take).ToListAsync();
    }

    /// <summary>Each person's hospital number (MRN), what an ED system searches Patient by.</summary>
    public static async Task<IReadOnlyList<string>> Mrns(IServiceProvider services, IReadOnlyList<Guid> people)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AftercareDbContext>().People
            .Where(p => people.Contains(p.Id))
            .SelectMany(p => p.Identifiers.Where(i => i.Kind == Aftercare.Domain.People.IdentifierKind.Mrn).Select(i => i.Value))
            .ToListAsync();
    }

    /// <summary>The rows an intake writes (person, identifier, presentation, two audit events), inserted with plain SQL.</summary>
    public static async Task RawInsert(AftercareDbContext db, int i, string siteCode)
    {
        var site = await db.Sites.Where(s => s.Code == siteCode).Select(s => s.Id).FirstAsync();
        var person = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        var ticks = db is SqliteAftercareDbContext;
        object At(DateTimeOffset t) => ticks ? t.UtcTicks : t;
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"People\" (\"Id\",\"GivenName\",\"FamilyName\",\"DateOfBirth\",\"Sex\",\"PreferredChannel\",\"PriorPsychiatricHistory\",\"RegisteredAt\") VALUES ({0},'Bench','Raw',{1},'Female','Letter','Unknown',{2})",
            person, new DateOnly(1990, 1, 2), At(now));
        await db.Database.ExecuteSqlRawAsync("INSERT INTO \"PersonIdentifiers\" (\"Kind\",\"Value\",\"PersonId\") VALUES ('Mrn',{0},{1})", $"RAW{i:0000000}", person);
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"Presentations\" (\"Id\",\"PersonId\",\"ArrivedAt\",\"SiteId\",\"Methods\",\"AlcoholInvolved\",\"MedicalTreatmentNeeded\",\"Disposition\",\"RecordedAt\",\"RecordedBy\") VALUES ({0},{1},{2},{3},'MedicationOrDrugs','Unknown','Unknown','Discharged',{2},'bench')",
            Guid.CreateVersion7(), person, At(now.AddHours(-1)), site);
        // The audit chain as the real writer keeps it: one writer at a time, each event hashed onto the last.
        if (db is PostgresAftercareDbContext)
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(4712582039149437298)");
        }

        var last = await db.Database.SqlQueryRaw<Link>("SELECT \"Sequence\", \"Hash\" FROM \"AuditEvents\" ORDER BY \"Sequence\" DESC LIMIT 1").ToListAsync();
        var (sequence, previous) = last.Count == 0 ? (0L, "") : (last[0].Sequence, last[0].Hash);
        for (var a = 0; a < 2; a++)
        {
            sequence++;
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{previous}|{sequence}|{person}|{now:O}")));
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"AuditEvents\" (\"At\",\"ActorId\",\"Actor\",\"Action\",\"PersonId\",\"Purpose\",\"Sequence\",\"PreviousHash\",\"Hash\") VALUES ({0},'bench','bench','PresentationRegistered',{1},'direct care',{2},{3},{4})",
                At(now), person, sequence, previous, hash);
            previous = hash;
        }

        await transaction.CommitAsync();
    }

    private sealed record Link(long Sequence, string Hash);

    public static async Task RawSelect(AftercareDbContext db, Guid person) =>
        await db.Database.SqlQueryRaw<Guid>("SELECT \"Id\" AS \"Value\" FROM \"Presentations\" WHERE \"PersonId\" = {0}", person).ToListAsync();

    public static void Report(IReadOnlyList<Result> results, IReadOnlyDictionary<string, string> against)
    {
        Console.WriteLine($"{"case",-52} {"req/s",8} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"KB/req",8} {"cpu ms",7} {"all ms",7} {"fail",5}  ratio (throughput, p95) to baseline");
        foreach (var r in results.Where(r => against.ContainsKey(r.Name) || against.Values.Contains(r.Name)).DistinctBy(r => r.Name))
        {
            var ratio = against.TryGetValue(r.Name, out var baselineName) && results.FirstOrDefault(x => x.Name == baselineName) is { } b
                ? $"{r.PerSecond / b.PerSecond:0.00}x, {r.Percentile(95) / Math.Max(0.001, b.Percentile(95)):0.00}x of \"{b.Name}\""
                : "(baseline)";
            Console.WriteLine($"{r.Name,-52} {r.PerSecond,8:0} {r.Percentile(50),8:0.0} {r.Percentile(95),8:0.0} {r.Percentile(99),8:0.0} {r.AllocatedBytes / 1024.0 / r.Count,8:0} {r.CpuMs / r.Count,7:0.00} {r.MachineCpuMs / r.Count,7:0.00} {r.Failures,5}  {ratio}");
        }
    }
}
