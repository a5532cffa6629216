using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Access;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Users;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.Bench;

/// <summary>
/// Crash consistency (issue 16, bench/crash.sh). The real server (`aftercare serve`, a process of
/// its own) takes presentations through `POST /api/presentations` from a few clients; at a random
/// moment it is killed with SIGKILL (and, on PostgreSQL, in some cycles the whole database server
/// with it), restarted, and checked: every write it acknowledged (201 with its ids) is there and
/// whole, nothing it was writing is there in part, `audit verify` passes, and it serves again.
/// One process drives every cycle, so a cycle costs one server start, not a driver start too.
/// </summary>
public static class Crash
{
    private const string FamilyName = "Crashtest";
    private const string Notes = "Synthetic crash-test note; paracetamol level taken.";

    private sealed record Options(
        string Db, string Keys, string Server, int Cycles, int Clients, int KillWithinMs, string? PostgresData, string? PostgresStart,
        int PostgresEvery, bool Control, int Port, string Log);

    /// <summary>What was sent, and what the server answered (null until it acknowledged).</summary>
    private sealed class Write(string mrn, DateOnly born, DateTimeOffset arrived)
    {
        public string Mrn { get; } = mrn;

        public DateOnly Born { get; } = born;

        public DateTimeOffset Arrived { get; } = arrived;

        public (Guid Person, Guid Presentation)? Acknowledged { get; set; }

        public bool Lost { get; set; }
    }

    private sealed class Tally
    {
        public int Cycles { get; set; }

        public int PostgresKills { get; set; }

        public int Acknowledged => Writes.Count(w => w.Value.Acknowledged is not null);

        public int Lost { get; set; }

        public int HalfWritten { get; set; }

        public int UnacknowledgedButCommitted { get; set; }

        public int AuditFailures { get; set; }

        public int ServeFailures { get; set; }

        public List<double> StartSeconds { get; } = [];

        public List<double> CycleSeconds { get; } = [];

        public List<double> CheckSeconds { get; } = [];

        public List<double> PeopleCheckSeconds { get; } = [];

        public List<double> VerifySeconds { get; } = [];

        /// <summary>The people read whole since the last full pass, not read again until the next.</summary>
        public HashSet<Guid> SeenWhole { get; } = [];

        public List<double> PostgresRestartSeconds { get; } = [];

        public ConcurrentDictionary<string, Write> Writes { get; } = new();

        public List<string> Problems { get; } = [];

        /// <summary>Writes not acknowledged, by when (both running, or PostgreSQL already killed) and the status they got (0: no answer, the connection failed).</summary>
        public ConcurrentDictionary<(bool DatabaseKilled, int Status), int> Answers { get; } = new();

        /// <summary>Set from the moment PostgreSQL is killed until the server is: writes then can only fail.</summary>
        public volatile bool DatabaseKilled;
    }

    public static async Task<int> Run(string[] args)
    {
        var options = Parse(args);
        if (options is null)
        {
            return 2;
        }

        var postgres = options.Db.Contains("Host=", StringComparison.OrdinalIgnoreCase);
        var site = await PrepareAsync(options);
        var tally = new Tally();
        var cookies = new CookieContainer();
        var url = $"http://127.0.0.1:{options.Port}";
        var random = new Random();
        var what = options.Control ? "NEGATIVE CONTROL (kill PostgreSQL right after an acknowledged write, every cycle)" : postgres ? $"PostgreSQL (the database killed too every {options.PostgresEvery}th cycle)" : "SQLite";
        Console.WriteLine($"Crash harness on {what}: {options.Cycles} cycles, {options.Clients} clients, killed at a random moment up to {options.KillWithinMs} ms after the first acknowledged write; {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");

        await using var checker = NewApp(options.Db);
        for (var cycle = 1; cycle <= options.Cycles + 1; cycle++)
        {
            var cycleClock = Stopwatch.StartNew();
            var startClock = Stopwatch.StartNew();
            using var server = StartServer(options, url);
            using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromSeconds(60) };
            if (!await ServesAsync(http, server))
            {
                tally.ServeFailures++;
                tally.Problems.Add($"cycle {cycle}: the server did not answer /health/live after its restart (see {options.Log})");
                server.Kill();
                break;
            }

            tally.StartSeconds.Add(startClock.Elapsed.TotalSeconds);

            // After the crash, with the server up again and idle: everything acknowledged is whole, the chain verifies.
            var checkClock = Stopwatch.StartNew();
            await CheckAsync(checker, options, tally, cycle, everyone: cycle % 50 == 0 || cycle > options.Cycles);
            if (!await SignedInAsync(http, checker, cookies, url) || !await ReadsBackAsync(http, tally, random))
            {
                tally.ServeFailures++;
                tally.Problems.Add($"cycle {cycle}: the restarted server did not read back an acknowledged record");
            }

            tally.CheckSeconds.Add(checkClock.Elapsed.TotalSeconds);
            if (cycle > options.Cycles)
            {
                server.Kill();
                await server.WaitForExitAsync();
                break;
            }

            var killPostgres = postgres && (options.Control || (options.PostgresEvery > 0 && cycle % options.PostgresEvery == 0));
            await WriteThenKillAsync(http, server, options, tally, site, random, killPostgres);
            tally.Cycles++;
            if (killPostgres)
            {
                tally.PostgresKills++;
                var restart = Stopwatch.StartNew();
                await RestartPostgresAsync(options);
                tally.PostgresRestartSeconds.Add(restart.Elapsed.TotalSeconds);
            }

            tally.CycleSeconds.Add(cycleClock.Elapsed.TotalSeconds);
            if (cycle % 25 == 0 || cycle == options.Cycles)
            {
                Console.WriteLine($"  cycle {cycle}: {tally.Acknowledged} acknowledged, {tally.Lost} lost, {tally.HalfWritten} half-written, {tally.AuditFailures} audit failures; {tally.CycleSeconds.Average():0.00} s a cycle");
            }
        }

        // Once at the end, the real binary as an operator runs it.
        var verify = await RunAsync("dotnet", [options.Server, "audit", "verify", "--db", options.Db], options.Log);
        Report(options, tally, what, verify);
        return tally.Lost == 0 && tally.HalfWritten == 0 && tally.AuditFailures == 0 && tally.ServeFailures == 0 && verify == 0 ? 0 : 1;
    }

    private static Options? Parse(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var known = new HashSet<string>(StringComparer.Ordinal) { "--db", "--keys", "--server", "--cycles", "--clients", "--kill-within-ms", "--postgres-data", "--postgres-start", "--postgres-every", "--port", "--log" };
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--control")
            {
                continue;
            }

            if (!known.Contains(args[i]) || i + 1 >= args.Length)
            {
                Console.Error.WriteLine($"crash: unknown or incomplete option {args[i]}");
                return Usage();
            }

            i++;
        }

        var db = Arg("--db");
        var keys = Arg("--keys");
        var server = Arg("--server");
        if (db is null || keys is null || server is null || !File.Exists(server))
        {
            Console.Error.WriteLine("crash needs --db, --keys and --server (the Release aftercare.dll; bench/crash.sh passes them).");
            return Usage();
        }

        static int? Whole(string? value, int fallback, int least) =>
            value is null ? fallback : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= least ? n : null;
        var cycles = Whole(Arg("--cycles"), 1000, 1);
        var clients = Whole(Arg("--clients"), 4, 1);
        var within = Whole(Arg("--kill-within-ms"), 1500, 1);
        var every = Whole(Arg("--postgres-every"), 4, 0);
        var port = Whole(Arg("--port"), 5199, 1024);
        if (cycles is null || clients is null || within is null || every is null || port is null)
        {
            Console.Error.WriteLine("crash: --cycles, --clients and --kill-within-ms take whole numbers of at least 1, --postgres-every at least 0, --port at least 1024.");
            return Usage();
        }

        var postgres = db.Contains("Host=", StringComparison.OrdinalIgnoreCase);
        if (postgres != (Arg("--postgres-data") is not null && Arg("--postgres-start") is not null))
        {
            Console.Error.WriteLine("crash: on PostgreSQL give --postgres-data and --postgres-start (to kill and restart it); on SQLite neither.");
            return Usage();
        }

        if (args.Contains("--control") && !postgres)
        {
            Console.Error.WriteLine("crash: --control (the negative control) is for PostgreSQL started with fsync=off and synchronous_commit=off.");
            return Usage();
        }

        return new Options(db, keys, server, cycles.Value, clients.Value, within.Value, Arg("--postgres-data"), Arg("--postgres-start"), every.Value,
            args.Contains("--control"), port.Value, Arg("--log") ?? Path.Combine(Path.GetTempPath(), "aftercare-crash-server.log"));
    }

    private static Options? Usage()
    {
        Console.Error.WriteLine("usage: Aftercare.Bench crash --db <sqlite file | PostgreSQL> --keys <folder> --server <aftercare.dll> [--cycles N] [--clients N] [--kill-within-ms N] [--port N] [--log FILE] [--postgres-data DIR --postgres-start CMD [--postgres-every N] [--control]]");
        return null;
    }

    /// <summary>The settings the driver and the server share, in the environment the server inherits.</summary>
    public static void ShareSettings(string keys, bool runOutbox)
    {
        Environment.SetEnvironmentVariable("Aftercare__DataProtection__KeysFolder", keys);
        Environment.SetEnvironmentVariable("Aftercare__Sites__0__Code", "crash-ed");
        Environment.SetEnvironmentVariable("Aftercare__Sites__0__Name", "Synthetic Crash Test Hospital");
        Environment.SetEnvironmentVariable("Aftercare__Sites__0__Phone", "01632 960199");
        Environment.SetEnvironmentVariable("Aftercare__Messaging__RunWorker", runOutbox ? "true" : "false");
        // The server's cost is measured, not the API limit (600 a minute per user).
        Environment.SetEnvironmentVariable("Aftercare__Security__RateLimits__ApiPerMinute", "100000000");
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        Environment.SetEnvironmentVariable("Logging__LogLevel__Microsoft.Hosting.Lifetime", "Warning");
    }

    /// <summary>The driver's own app (never started): its DbContext and keys read the database the server writes.</summary>
    public static WebApplication NewApp(string db) => global::Program.BuildWebApp(new HostSettings
    {
        Database = db,
        // The first migration's look for its history table fails by design; the driver says what matters itself.
        Overrides = { ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "None" },
    });

    public const string Clinician = "crash.clinician@bench.example";

    /// <summary>Migrates, adds the site and one clinician staffed there (password and authenticator key known to the driver only).</summary>
    private static async Task<Guid> PrepareAsync(Options options)
    {
        ShareSettings(options.Keys, runOutbox: false);
        await using var app = NewApp(options.Db);
        return await PrepareDatabaseAsync(app);
    }

    public static async Task<Guid> PrepareDatabaseAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var site = await db.Sites.Where(s => s.Code == "crash-ed").Select(s => s.Id).SingleAsync();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AftercareUser>>();
        if (await users.FindByEmailAsync(Clinician) is null)
        {
            await App.Users.AddUser.EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());
            var user = new AftercareUser { UserName = Clinician, Email = Clinician, EmailConfirmed = true, DisplayName = "Synthetic Crash Clinician", LockoutEnabled = true };
            Check(await users.CreateAsync(user, App.Users.AddUser.GeneratePassword()));
            Check(await users.AddToRoleAsync(user, Roles.Clinician));
            Check(await users.SetTwoFactorEnabledAsync(user, true));
            db.StaffSites.Add(new StaffSite(user.Id, site));
            await db.SaveChangesAsync();
        }

        return site;
    }

    private static Process StartServer(Options options, string url) => StartServer(options.Server, options.Db, url, options.Log);

    /// <summary>`dotnet aftercare.dll serve`, its output appended to the log; exec, so the process killed is the server itself.</summary>
    public static Process StartServer(string server, string db, string url, string log)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec dotnet \"$0\" serve --db \"$1\" --urls \"$2\" >>\"$3\" 2>&1 </dev/null");
        foreach (var a in new[] { server, db, url, log })
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>Polls /health/live until the new server answers (bounded); false if it died or never answered.</summary>
    public static async Task<bool> ServesAsync(HttpClient http, Process server)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(server);
        for (var tries = 0; tries < 2400 && !server.HasExited; tries++)
        {
            try
            {
                using var live = await http.GetAsync("health/live");
                if (live.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50); // polling for the listener, bounded (2 minutes)
        }

        return false;
    }

    /// <summary>The session survives a restart (its cookie is sealed with the keys folder's keys); a new one only when refused.</summary>
    public static async Task<bool> SignedInAsync(HttpClient http, WebApplication app, CookieContainer cookies, string url)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(cookies);
        if (cookies.GetCookies(new Uri(url)).Count > 0)
        {
            using var probe = await http.GetAsync("api/people/" + Guid.Empty);
            if (probe.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.OK)
            {
                return true;
            }
        }

        string password;
        string key;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AftercareUser>>();
            var user = await users.FindByEmailAsync(Clinician) ?? throw new InvalidOperationException("the crash clinician is missing");
            password = App.Users.AddUser.GeneratePassword();
            Check(await users.RemovePasswordAsync(user));
            Check(await users.AddPasswordAsync(user, password));
            Check(await users.ResetAuthenticatorKeyAsync(user));
            key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("no authenticator key");
        }

        // A new key has had no code used yet, so the current step is accepted.
        var code = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(key)).ComputeTotp(DateTime.UtcNow);
        using var signIn = await http.PostAsJsonAsync("api/session", new { email = Clinician, password, code });
        return signIn.StatusCode == HttpStatusCode.NoContent;
    }

    private static async Task<bool> ReadsBackAsync(HttpClient http, Tally tally, Random random)
    {
        var acknowledged = tally.Writes.Values.Where(w => w.Acknowledged is not null).ToList();
        if (acknowledged.Count == 0)
        {
            return true;
        }

        var one = acknowledged[random.Next(acknowledged.Count)];
        using var response = await http.GetAsync($"api/people/{one.Acknowledged!.Value.Person}");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return false;
        }

        var person = await response.Content.ReadFromJsonAsync<JsonElement>();
        return person.GetProperty("identifiers").GetProperty("Mrn").GetString() == one.Mrn;
    }

    private static async Task WriteThenKillAsync(HttpClient http, Process server, Options options, Tally tally, Guid site, Random random, bool killPostgres)
    {
        using var stop = new CancellationTokenSource();
        var firstAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var armed = new TaskCompletionSource();
        var clients = Enumerable.Range(0, options.Clients).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref _next);
                var write = new Write($"CRASH{n:0000000}", new DateOnly(1960, 1, 1).AddDays(n % 15000), DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 7200 - (n % 3600)));
                tally.Writes[write.Mrn] = write;
                try
                {
                    using var response = await http.PostAsJsonAsync("api/presentations", Body(write, site), stop.Token);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        var ids = await response.Content.ReadFromJsonAsync<JsonElement>(stop.Token);
                        write.Acknowledged = (ids.GetProperty("personId").GetGuid(), ids.GetProperty("presentationId").GetGuid());
                        firstAcknowledged.TrySetResult();
                        if (armed.Task.IsCompleted)
                        {
                            killNow.TrySetResult(); // the negative control: the database dies right after an acknowledgement
                        }
                    }
                    else
                    {
                        tally.Answers.AddOrUpdate((tally.DatabaseKilled, (int)response.StatusCode), 1, (_, n) => n + 1);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or JsonException)
                {
                    // Not acknowledged: the server (or its database) went away under it.
                    tally.Answers.AddOrUpdate((tally.DatabaseKilled, 0), 1, (_, n) => n + 1);
                    if (!stop.IsCancellationRequested)
                    {
                        await Task.Delay(20);
                    }
                }
            }
        })).ToList();

        // The first requests after a start pay for JIT; the random moment is counted from the first
        // acknowledgement, so that every cycle kills a server that is taking writes.
        await Task.WhenAny(firstAcknowledged.Task, Task.Delay(60_000));
        await Task.Delay(random.Next(options.KillWithinMs));
        if (options.Control)
        {
            armed.TrySetResult();
            await Task.WhenAny(killNow.Task, Task.Delay(10_000));
        }

        if (killPostgres)
        {
            tally.DatabaseKilled = true;
            KillPostgres(options.PostgresData!);
        }

        server.Kill(); // SIGKILL, as kill -9
        await server.WaitForExitAsync();
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        tally.DatabaseKilled = false;
    }

    private static int _next;

    private static object Body(Write write, Guid site) => new
    {
        newPerson = new
        {
            givenName = "Alex", familyName = FamilyName, dateOfBirth = write.Born, sex = "Female", phone = "07700 900456", email = (string?)null,
            preferredChannel = "TextMessage", gpPractice = "Demo Street Surgery (fictional)", priorPsychiatricHistory = "No", mrn = write.Mrn, nhsNumber = (string?)null,
        },
        arrivedAt = write.Arrived,
        siteId = site,
        methods = new[] { "MedicationOrDrugs" },
        alcoholInvolved = "No",
        medicalTreatmentNeeded = "Yes",
        medicalTreatmentNotes = Notes,
        disposition = "Discharged",
    };

    /// <summary>SIGKILL to the postmaster and every process it started, at once: the database server dies as in a power cut of its processes.</summary>
    private static void KillPostgres(string data)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var children = Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsAsciiDigit))
            .Select(d => int.Parse(d!, CultureInfo.InvariantCulture))
            .Where(pid => ParentOf(pid) == postmaster).ToList();
        var all = children.Prepend(postmaster).ToList();
        foreach (var pid in all)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        // A new postmaster refuses to start while the old one's pid still exists (until it is reaped).
        for (var tries = 0; tries < 600 && all.Any(pid => Directory.Exists($"/proc/{pid}")); tries++)
        {
            Thread.Sleep(50); // polling for the kernel to reap them, bounded (30 seconds)
        }
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static async Task RestartPostgresAsync(Options options)
    {
        var started = await RunAsync("/bin/sh", ["-c", options.PostgresStart!], options.Log);
        if (started != 0)
        {
            throw new InvalidOperationException($"PostgreSQL did not restart after its crash (see {options.Log})");
        }

        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    public static async Task<int> RunAsync(string file, IEnumerable<string> arguments, string log)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await File.AppendAllTextAsync(log, await output + await error);
        return process.ExitCode;
    }

    /// <summary>Every write the server acknowledged is there and whole; any write of the harness that is there is whole; the chain verifies.</summary>
    /// <summary>
    /// After a restart. Every cycle: every acknowledged write's person is there (one query of the
    /// MRNs of all "Crashtest" people), every person not yet seen whole is read whole (their
    /// identifiers, their one presentation and its audit events), and the chain verifies. Every
    /// 50th cycle and after the last, everyone is read whole again. People seen whole are not read
    /// again in between, so that a cycle's cost does not grow with the writes of all cycles before
    /// (at 200 cycles the checks had grown from 0.5 s to 3.7 s a cycle; measured in issue 16).
    /// </summary>
    private static async Task CheckAsync(WebApplication app, Options options, Tally tally, int cycle, bool everyone)
    {
        var peopleClock = Stopwatch.StartNew();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
            var ours = db.People.Where(p => p.FamilyName == FamilyName).Select(p => p.Id);
            var present = await db.People.AsNoTracking().Where(p => p.FamilyName == FamilyName)
                .Select(p => new { p.Id, Mrn = p.Identifiers.Where(i => i.Kind == IdentifierKind.Mrn).Select(i => i.Value).FirstOrDefault() })
                .ToListAsync();
            if (everyone)
            {
                tally.SeenWhole.Clear();
            }

            // The full pass names its people by the family name; the others by the few ids not yet seen whole.
            var unseen = present.Where(p => !tally.SeenWhole.Contains(p.Id)).Select(p => p.Id).ToList();
            var toRead = everyone ? ours : db.People.Where(p => unseen.Contains(p.Id)).Select(p => p.Id);
            var people = await db.People.AsNoTracking().Include(p => p.Identifiers).Where(p => toRead.Contains(p.Id)).ToListAsync();
            var presentations = (await db.Presentations.AsNoTracking().Where(p => toRead.Contains(p.PersonId)).ToListAsync()).ToLookup(p => p.PersonId);
            var audits = (await db.AuditEvents.AsNoTracking()
                .Where(a => a.PersonId != null && toRead.Contains(a.PersonId.Value) && (a.Action == AuditAction.PersonRegistered || a.Action == AuditAction.PresentationRegistered))
                .Select(a => new { a.PersonId, a.Action, a.EntityId }).ToListAsync()).ToLookup(a => a.PersonId!.Value);
            var found = present.Where(p => p.Mrn is not null).ToDictionary(p => p.Mrn!, p => p.Id, StringComparer.Ordinal);
            var lostNow = 0;
            var halfNow = 0;
            foreach (var person in people)
            {
                var mrn = person.Identifiers.Where(i => i.Kind == IdentifierKind.Mrn).Select(i => i.Value).SingleOrDefault();
                var sent = mrn is null ? null : tally.Writes.GetValueOrDefault(mrn);
                var presentation = presentations[person.Id].ToList();
                var audit = audits[person.Id].ToList();
                var whole = sent is not null && person.GivenName == "Alex" && person.DateOfBirth == sent.Born
                    && presentation is [{ } p] && p.ArrivedAt == sent.Arrived && p.MedicalTreatmentNotes == Notes && p.Disposition == Domain.Presentations.Disposition.Discharged
                    && audit.Count(a => a.Action == AuditAction.PersonRegistered) == 1
                    && audit.Count(a => a.Action == AuditAction.PresentationRegistered && a.EntityId == p.Id.ToString()) == 1
                    && (sent.Acknowledged is null || sent.Acknowledged == (person.Id, p.Id));
                if (whole)
                {
                    tally.SeenWhole.Add(person.Id);
                }
                else
                {
                    halfNow++;
                    tally.Problems.Add($"cycle {cycle}: person {person.Id} is there but not whole ({presentation.Count} presentations, {audit.Count} audit events)");
                }
            }

            foreach (var write in tally.Writes.Values.Where(w => w.Acknowledged is not null))
            {
                if (!found.ContainsKey(write.Mrn) && !write.Lost)
                {
                    write.Lost = true;
                    lostNow++;
                    tally.Problems.Add($"cycle {cycle}: acknowledged write {write.Mrn} (person {write.Acknowledged!.Value.Person}) is missing");
                }
            }

            tally.Lost += lostNow;
            tally.HalfWritten = Math.Max(tally.HalfWritten, halfNow);
            tally.UnacknowledgedButCommitted = tally.Writes.Values.Count(w => w.Acknowledged is null && found.ContainsKey(w.Mrn));
        }

        tally.PeopleCheckSeconds.Add(peopleClock.Elapsed.TotalSeconds);
        var verifyClock = Stopwatch.StartNew();
        using var output = new StringWriter();
        var verified = await Aftercare.Cli.AftercareCommands.RunAsync(["audit", "verify", "--db", options.Db], output, output);
        if (verified != 0)
        {
            tally.AuditFailures++;
            tally.Problems.Add($"cycle {cycle}: audit verify failed: {output.ToString().Trim()}");
        }

        tally.VerifySeconds.Add(verifyClock.Elapsed.TotalSeconds);
    }

    private static void Report(Options options, Tally tally, string what, int verify)
    {
        static string Mean(List<double> seconds) => seconds.Count == 0 ? "-" : $"{seconds.Average():0.00} s (min {seconds.Min():0.00}, max {seconds.Max():0.00})";
        static string Answered(IEnumerable<KeyValuePair<(bool DatabaseKilled, int Status), int>> answers) =>
            string.Join(", ", answers.OrderBy(a => a.Key.Status).Select(a => $"{(a.Key.Status == 0 ? "no answer (killed, or not yet listening)" : a.Key.Status.ToString(CultureInfo.InvariantCulture))}: {a.Value}"));
        Console.WriteLine();
        Console.WriteLine($"== Crash harness result: {what} ==");
        Console.WriteLine($"cycles (server killed with SIGKILL): {tally.Cycles}; of them PostgreSQL killed too: {tally.PostgresKills}");
        Console.WriteLine($"writes sent: {_next}; acknowledged (201 with ids): {tally.Acknowledged}; committed though not acknowledged (in flight at the kill): {tally.UnacknowledgedButCommitted}");
        Console.WriteLine($"not acknowledged, by answer, while the server and its database ran: {Answered(tally.Answers.Where(a => !a.Key.DatabaseKilled))}");
        if (options.PostgresData is not null)
        {
            Console.WriteLine($"not acknowledged, by answer, after PostgreSQL was killed and before the server was: {Answered(tally.Answers.Where(a => a.Key.DatabaseKilled))}");
        }
        Console.WriteLine($"LOST acknowledged writes: {tally.Lost}");
        Console.WriteLine($"half-written records found: {tally.HalfWritten}; audit verify failures after a restart: {tally.AuditFailures}; restarts that did not serve: {tally.ServeFailures}");
        Console.WriteLine($"final `aftercare audit verify` (the real binary): {(verify == 0 ? "passed" : $"FAILED (exit {verify}; see {options.Log})")}");
        Console.WriteLine($"one cycle: {Mean(tally.CycleSeconds)}; of it the server's start to its first answer: {Mean(tally.StartSeconds)}; the checks: {Mean(tally.CheckSeconds)} (reading people: {Mean(tally.PeopleCheckSeconds)}, of it {tally.PeopleCheckSeconds.LastOrDefault():0.00} s in the last, full, pass; audit verify: {Mean(tally.VerifySeconds)}, {tally.VerifySeconds.LastOrDefault():0.00} s in the last); PostgreSQL crash recovery (pg_ctl start -w): {Mean(tally.PostgresRestartSeconds)}");
        foreach (var problem in tally.Problems.Take(20))
        {
            Console.WriteLine("  " + problem);
        }

        if (tally.Problems.Count > 20)
        {
            Console.WriteLine($"  … and {tally.Problems.Count - 20} more");
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
