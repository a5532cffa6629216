using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Programme;
using Aftercare.Domain.Access;
using Aftercare.Domain.Users;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Aftercare.Bench;

/// <summary>
/// Issue 16 at national scale (bench/run-national.sh): the worklist of an aftercare worker (their
/// caseload, by care assignment) and of a whole site (a worker staffed there), each over HTTP with
/// the worker signed in, beside the index-only SQL that answers the same question and the
/// worklist's own query without the page, all in one run against the seeded database. Prints
/// p50/p99 and the server's memory.
/// </summary>
public static class National
{
    private const string CaseloadWorker = "caseload.worker@bench.example";
    private const string SiteWorker = "site.worker@bench.example";
    private const int Caseload = 40;

    public static async Task<int> Run(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var connection = Arg("--connection");
        if (connection is null)
        {
            Console.Error.WriteLine("national needs --connection \"Host=…;Database=…\" (bench/run-national.sh starts a throwaway PostgreSQL and passes it).");
            return 2;
        }

        var culture = System.Globalization.CultureInfo.InvariantCulture;
        if (!int.TryParse(Arg("--people") ?? "1000000", culture, out var people) || people < 1000
            || !long.TryParse(Arg("--audit") ?? "10000000", culture, out var audit) || audit < 0
            || !int.TryParse(Arg("--requests") ?? "1000", culture, out var requests) || requests < 1
            || !int.TryParse(Arg("--clients") ?? "1", culture, out var clients) || clients < 1)
        {
            Console.Error.WriteLine("national: --people (at least 1000), --audit, --requests and --clients take whole numbers.");
            return 2;
        }

        var keys = Arg("--keys") ?? Path.Combine(Path.GetTempPath(), "aftercare-bench-keys");
        var app = global::Program.BuildWebApp(new HostSettings
        {
            Database = connection,
            Overrides =
            {
                ["urls"] = "http://127.0.0.1:0",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
                ["Aftercare:Messaging:RunWorker"] = "false",
                ["Aftercare:DataProtection:KeysFolder"] = keys,
                ["Aftercare:Security:RateLimits:ApiPerMinute"] = "100000000",
            },
        });

        if (args.Contains("--seed"))
        {
            Console.WriteLine($"Seeding a national service: {people:N0} people, {audit:N0} audit events");
            await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false);
            var sites = await NationalSeed.Run(connection, people, audit, app.Services.GetRequiredService<FieldEncryption>(), app.Services.GetRequiredService<AuditSeal>(), DateTimeOffset.UtcNow);
            await AddWorkersAsync(app, sites[0]);
            return 0;
        }

        // A set seeded by an earlier version gets this version's indexes first.
        await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await using var sql = new NpgsqlConnection(connection);
        await sql.OpenAsync();
        Console.WriteLine($"National scale on PostgreSQL: {await Counts(sql)}; {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");

        var results = new List<Load.Result>();
        var against = new Dictionary<string, string>();
        foreach (var (email, what) in new[] { (CaseloadWorker, $"a worker's caseload ({Caseload} people)"), (SiteWorker, "a whole site") })
        {
            using var http = await SignIn(app, address, email);
            var userId = await app.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<AftercareDbContext>().Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
            var page = await http.GetAsync("worklist");
            var html = await page.Content.ReadAsStringAsync();
            if (page.StatusCode != HttpStatusCode.OK)
            {
                Console.Error.WriteLine($"the worklist answered {(int)page.StatusCode} for {what}");
                return 1;
            }

            var clock = app.Services.GetRequiredService<TimeProvider>();
            var time = app.Services.GetRequiredService<LocalTime>();
            var endOfToday = time.EndOfToday(clock.GetUtcNow());
            var listed = await Direct(app, db => Worklist.Handle(db, clock, endOfToday, userId, default));
            Console.WriteLine($"{what}: {listed.Count} items on the worklist ({html.Length / 1024} KB of HTML)");
            var http1 = $"worklist page over HTTP: {what}";
            var query = $"the worklist's query (EF, no page): {what}";
            var baseline = $"index-only SQL of the same contacts: {what}";
            results.Add(await Load.Run(http1, requests, clients, _ => http.GetAsync("worklist")));
            results.Add(await Load.Direct(query, requests, clients, app.Services, async (db, _) => await Worklist.Handle(db, clock, endOfToday, userId, default)));
            var horizon = clock.GetUtcNow().AddHours(Domain.Programme.Pathway.MaxFirstContactHours);
            horizon = endOfToday > horizon ? endOfToday : horizon;
            results.Add(await Load.Direct(baseline, requests, clients, app.Services, (db, _) => IndexOnly(db, userId, horizon, bySite: email == SiteWorker)));
            against[http1] = baseline;
            against[query] = baseline;
        }

        Load.Report(results, against);
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"Server process memory after the load: RSS {self.WorkingSet64 / 1048576} MiB, peak {Peak() / 1024} MiB (the bench's client runs in the same process)");
        await app.StopAsync();
        return 0;
    }

    /// <summary>
    /// The same contacts, the way a person writing SQL by hand against the indexes would ask: from the
    /// worker's care assignments, or from the people who presented at the worker's sites, each person's
    /// due contacts by IX_Contacts_PersonId_Status_DueAt_EscalatedAt. No names, no page: the floor.
    /// </summary>
    private static Task<List<Guid>> IndexOnly(AftercareDbContext db, string userId, DateTimeOffset horizon, bool bySite) =>
        (bySite
            ? db.Database.SqlQueryRaw<Guid>("""
                SELECT x."Id" AS "Value"
                FROM (SELECT DISTINCT p."PersonId" FROM "StaffSites" s JOIN "Presentations" p ON p."SiteId" = s."SiteId" WHERE s."UserId" = {1}) t
                CROSS JOIN LATERAL (
                  SELECT c."Id" FROM "Contacts" c JOIN "Episodes" e ON e."Id" = c."EpisodeId" AND e."Status" = 'Active'
                  WHERE c."PersonId" = t."PersonId" AND c."Status" = 'Due' AND (c."DueAt" <= {0} OR c."EscalatedAt" IS NOT NULL)) x
                """, horizon, userId)
            : db.Database.SqlQueryRaw<Guid>("""
                SELECT c."Id" AS "Value" FROM "CareAssignments" a
                JOIN "Contacts" c ON c."PersonId" = a."PersonId" AND c."Status" = 'Due' AND (c."DueAt" <= {0} OR c."EscalatedAt" IS NOT NULL)
                JOIN "Episodes" e ON e."Id" = c."EpisodeId" AND e."Status" = 'Active'
                WHERE a."UserId" = {1}
                """, horizon, userId)).ToListAsync();

    private static async Task<T> Direct<T>(WebApplication app, Func<AftercareDbContext, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AftercareDbContext>());
    }

    private static async Task<string> Counts(NpgsqlConnection sql)
    {
        var counts = new List<string>();
        foreach (var table in new[] { "People", "Presentations", "Episodes", "Contacts", "Referrals", "AuditEvents" })
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", sql) { CommandTimeout = 0 };
            counts.Add($"{table} {(long)(await command.ExecuteScalarAsync())!:N0}");
        }

        return string.Join(", ", counts);
    }

    private static long Peak() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();

    /// <summary>Two aftercare workers: one with a caseload of people with active episodes at several sites, one staffed at the first site. Passwords and keys are in the database only; the bench resets them to sign in.</summary>
    private static async Task AddWorkersAsync(WebApplication app, Guid site)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AftercareUser>>();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        await App.Users.AddUser.EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());
        foreach (var email in new[] { CaseloadWorker, SiteWorker })
        {
            var user = new AftercareUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Synthetic Bench Worker", LockoutEnabled = true };
            Check(await users.CreateAsync(user, App.Users.AddUser.GeneratePassword()));
            Check(await users.AddToRoleAsync(user, Roles.AftercareWorker));
            Check(await users.SetTwoFactorEnabledAsync(user, true));
            if (email == SiteWorker)
            {
                db.StaffSites.Add(new StaffSite(user.Id, site));
            }
            else
            {
                var now = DateTimeOffset.UtcNow;
                var people = await db.Episodes.Where(e => e.Status == Domain.Programme.EpisodeStatus.Active).Select(e => e.PersonId).Distinct().OrderBy(p => p).Take(Caseload).ToListAsync();
                db.CareAssignments.AddRange(people.Select(p => CareAssignment.Assign(p, user.Id, "bench", now)));
            }

            await db.SaveChangesAsync();
        }
    }

    /// <summary>Signs a worker in as staff do (password and authenticator code), with a password and key set afresh for the run.</summary>
    private static async Task<HttpClient> SignIn(WebApplication app, string address, string email)
    {
        string password;
        string key;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AftercareUser>>();
            var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"{email} is not in this database: seed it with --seed first.");
            password = App.Users.AddUser.GeneratePassword();
            Check(await users.RemovePasswordAsync(user));
            Check(await users.AddPasswordAsync(user, password));
            Check(await users.ResetAuthenticatorKeyAsync(user));
            key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("no authenticator key");
        }

        var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        var http = new HttpClient(handler) { BaseAddress = new Uri(address + "/") };
        var code = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(key)).ComputeTotp(DateTime.UtcNow);
        (await http.PostAsJsonAsync("api/session", new { email, password, code })).EnsureSuccessStatusCode();
        return http;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
