using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Aftercare.App.Data;
using Aftercare.Bench;
using Aftercare.Hosting;
using BenchmarkDotNet.Running;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.Bench;

// Aftercare's benchmarks (see docs/performance.md). Two parts:
//   dotnet run -c Release --project bench/Aftercare.Bench -- mapping            BenchmarkDotNet, in process
//   dotnet run -c Release --project bench/Aftercare.Bench -- evaluate           programme evaluation on 1,000,000 synthetic rows
//   dotnet run -c Release --project bench/Aftercare.Bench -- synthetic-cohort --rows N --seed S --out cohort.csv
//                                                         a clearly synthetic cohort file (bench/run-evaluation-vs-r.sh, docs/screenshots)
//   dotnet run -c Release --project bench/Aftercare.Bench -- http --db "Host=…"  load on loopback, ratios to baselines
//   dotnet run -c Release --project bench/Aftercare.Bench -- measures-pg --connection "Host=…" [--seed --people N]
//                                                         dashboard measures and evaluation on PostgreSQL (bench/run-measures-pg.sh)
//   dotnet run -c Release --project bench/Aftercare.Bench -- national --connection "Host=…" [--seed --people N --audit N] [--requests N --clients N]
//                                                         worklists at national scale (bench/run-national.sh)
//   dotnet run -c Release --project bench/Aftercare.Bench -- crash --db … --keys … --server aftercare.dll [--cycles N]
//                                                         kill -9 the real server during writes, restart, check (bench/crash.sh)
//   dotnet run -c Release --project bench/Aftercare.Bench -- crash-outbox --db … --keys … --server aftercare.dll
//                                                         kill -9 the server between claiming a message and sending it (bench/crash.sh)
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "mapping")
        {
            BenchmarkRunner.Run<MappingBenchmarks>(args: args[1..]);
            return 0;
        }

        if (args.Length > 0 && args[0] == "evaluate")
        {
            var rows = args.SkipWhile(a => a != "--rows").Skip(1).FirstOrDefault() ?? "1000000";
            await Evaluation.Run(int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        }

        if (args.Length > 0 && args[0] == "synthetic-cohort")
        {
            string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
            return await Evaluation.WriteSyntheticCohort(
                int.Parse(Option("--rows", "1000000"), System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(Option("--seed", "2026"), System.Globalization.CultureInfo.InvariantCulture),
                Option("--out", "synthetic-cohort.csv"));
        }

        if (args.Length > 0 && args[0] == "crash")
        {
            return await Crash.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "crash-outbox")
        {
            return await CrashOutbox.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "national")
        {
            return await National.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "measures-pg")
        {
            return await MeasuresPg.Run(args[1..]);
        }

        if (args.Length == 0 || args[0] != "http")
        {
            Console.Error.WriteLine("usage: Aftercare.Bench mapping | evaluate [--rows N] | synthetic-cohort [--rows N] [--seed S] [--out file] | crash … | crash-outbox … | measures-pg --connection <PostgreSQL> [--seed --people N] [--keys folder] | national --connection <PostgreSQL> [--seed --people N --audit N] [--requests N --clients N] | http --db <sqlite path or PostgreSQL connection string> [--requests N] [--clients N] [--rounds N]");
            return 2;
        }

        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var db = Arg("--db", Path.Combine(Path.GetTempPath(), $"aftercare-bench-{Guid.NewGuid():N}.db"));
        var requests = int.Parse(Arg("--requests", "400"), System.Globalization.CultureInfo.InvariantCulture);
        var clients = int.Parse(Arg("--clients", "4"), System.Globalization.CultureInfo.InvariantCulture);
        // Each case's requests in rounds, every case once in each round: a machine that speeds up or
        // slows down during the run then moves a case and its baseline alike (see docs/performance.md).
        var rounds = int.Parse(Arg("--rounds", "1"), System.Globalization.CultureInfo.InvariantCulture);
        if (rounds < 1 || requests % rounds != 0)
        {
            Console.Error.WriteLine($"http: --rounds must be at least 1 and divide --requests ({requests}) evenly.");
            return 2;
        }

        var app = global::Program.BuildWebApp(new HostSettings
        {
            Database = db,
            Demo = true,
            Overrides = { ["urls"] = "http://127.0.0.1:0", ["Logging:LogLevel:Default"] = "Warning", ["Aftercare:Messaging:RunWorker"] = "false",
                // The pipeline's cost is measured, not the API limit (600 a minute per user would answer most of a case with 429).
                ["Aftercare:Security:RateLimits:ApiPerMinute"] = "100000000" },
        });
        // The baseline endpoint: the same pipeline (auth, audit-free), returning fixed JSON.
        var fixedJson = Encoding.UTF8.GetBytes("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":0}");
        app.MapGet("/bench/fixed", (Func<IResult>)(() => Results.Bytes(fixedJson, "application/fhir+json"))).RequireAuthorization(Aftercare.Smart.SmartSetup.FhirRead);
        var seeded = await DatabasePreparation.PrepareAsync(app, migrate: true, demo: true);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var clinician = seeded!.Users.First(u => u.Role == "clinician");
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(address + "/") };
        // Staff sign in with a password and an authenticator code (the demo prints each user's key).
        var code = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(clinician.AuthenticatorKey)).ComputeTotp(DateTime.UtcNow);
        (await http.PostAsJsonAsync("api/session", new { clinician.Email, clinician.Password, code })).EnsureSuccessStatusCode();
        var site = Aftercare.App.Demo.DemoData.Sites[0].Code;

        Console.WriteLine($"Aftercare HTTP benchmark: {requests} requests per case{(rounds > 1 ? $" in {rounds} rounds of {requests / rounds}" : "")}, {clients} concurrent clients, {(db.Contains("Host=", StringComparison.OrdinalIgnoreCase) ? "PostgreSQL" : "SQLite")}, {Environment.ProcessorCount} cores");
        var per = requests / rounds;
        var measured = new List<List<Load.Result>>();
        IReadOnlyList<Guid>? people = null;
        IReadOnlyList<string>? mrns = null;
        var batcher = app.Services.GetRequiredService<Aftercare.App.Audit.AuditBatcher>();
        (long Commits, long Requests) batches = (0, 0);
        for (var round = 0; round < rounds; round++)
        {
            var offset = round * per;
            var cases = new List<Load.Result>
            {
                await Load.Run("bare endpoint (fixed JSON)", per, clients, _ => http.GetAsync("bench/fixed"), offset),
                await Load.Run("FHIR intake transaction (3 resources)", per, clients, i => http.PostAsync("fhir", new StringContent(Intake.Bundle($"BENCH{i:000000}", site), Encoding.UTF8, "application/fhir+json")), offset),
            };
            people ??= await Load.People(app.Services, 200);
            cases.Add(await Load.Run("FHIR Encounter search by patient", per, clients, i => http.GetAsync($"fhir/Encounter?patient={people[i % people.Count]}"), offset));
            // Issue 13's figure: a Patient read and a Patient search beside the CapabilityStatement, which
            // goes through the same FHIR edge (content negotiation, OperationOutcome handling) but reads no data.
            mrns ??= await Load.Mrns(app.Services, people);
            cases.Add(await Load.Run("FHIR metadata (CapabilityStatement)", per, clients, _ => http.GetAsync("fhir/metadata"), offset));
            // How full the audit's group commits were over the reads and searches (issue 16).
            var batchesBefore = batcher.Counts;
            cases.Add(await Load.Run("FHIR Patient read", per, clients, i => http.GetAsync($"fhir/Patient/{people[i % people.Count]}"), offset));
            cases.Add(await Load.Run("FHIR Patient search by MRN", per, clients, i =>
                http.GetAsync($"fhir/Patient?identifier={Uri.EscapeDataString($"{Aftercare.Fhir.FhirSystems.MrnSystem}|{mrns[i % mrns.Count]}")}"), offset));
            batches = (batches.Commits + batcher.Counts.Commits - batchesBefore.Commits, batches.Requests + batcher.Counts.Requests - batchesBefore.Requests);
            cases.Add(await Load.Direct("raw insert of the same rows (baseline)", per, clients, app.Services, (ctx, i) => Load.RawInsert(ctx, i, site), offset));
            cases.Add(await Load.Direct("raw select of a person's presentations (baseline)", per, clients, app.Services, (ctx, i) => Load.RawSelect(ctx, people[i % people.Count]), offset));
            measured.Add(cases);
        }

        var results = Enumerable.Range(0, measured[0].Count).Select(c => Load.Result.Merge([.. measured.Select(r => r[c])])).ToList();

        Load.Report(results, new Dictionary<string, string>
        {
            ["FHIR intake transaction (3 resources)"] = "raw insert of the same rows (baseline)",
            ["FHIR Encounter search by patient"] = "raw select of a person's presentations (baseline)",
        });
        Console.WriteLine("HTTP cases are also compared with the bare endpoint:");
        Load.Report(results, new Dictionary<string, string>
        {
            ["FHIR intake transaction (3 resources)"] = "bare endpoint (fixed JSON)",
            ["FHIR Encounter search by patient"] = "bare endpoint (fixed JSON)",
        });
        Console.WriteLine("Patient read and search beside /fhir/metadata:");
        Load.Report(results, new Dictionary<string, string>
        {
            ["FHIR Patient read"] = "FHIR metadata (CapabilityStatement)",
            ["FHIR Patient search by MRN"] = "FHIR metadata (CapabilityStatement)",
        });
        Console.WriteLine($"Audit of the Patient reads and searches: {batches.Requests} requests in {batches.Commits} commits ({(batches.Commits == 0 ? 0 : (double)batches.Requests / batches.Commits):0.00} per commit).");
        await app.StopAsync();
        return 0;
    }
}
