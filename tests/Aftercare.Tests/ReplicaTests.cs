using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Measures;
using Aftercare.Domain.Users;

namespace Aftercare.Tests;

/// <summary>
/// Issue 16, past one machine: a real PostgreSQL primary and streaming standby started by the test.
/// The dashboard is counted on the standby (and is right once it has caught up), record reads and
/// writes stay on the primary, and when the primary fails and the standby is promoted the server
/// carries on with every acknowledged write. Runs in both passes of ./test.sh: it makes its own servers.
/// </summary>
public sealed class ReplicaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Query = "from=2026-01&to=2026-12&by=Site";

    [Fact]
    public async Task The_dashboard_is_counted_on_the_standby_and_the_server_survives_the_primarys_failure_with_every_acknowledged_write()
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
        }, primary);
        await app.InitializeAsync();
        var manager = await app.ClientFor(Roles.ServiceManager);
        var clinician = await app.ClientFor(Roles.Clinician);
        await pair.CaughtUpAsync();
        var before = await manager.GetStringAsync($"measures.csv?{Query}", Ct);

        // The standby stops replaying: a presentation written now is on the primary only.
        await pair.PauseReplayAsync();
        var person = await Present(app, clinician);
        Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync($"people/{person}", Ct)).StatusCode);
        Assert.Equal(before, await manager.GetStringAsync($"measures.csv?{Query}", Ct));
        var page = await manager.GetAsync($"measures?{Query}", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // Caught up, the standby's dashboard is the primary's, to the last count.
        await pair.ResumeReplayAsync();
        await pair.CaughtUpAsync();
        var after = await manager.GetStringAsync($"measures.csv?{Query}", Ct);
        Assert.NotEqual(before, after);
        var (filter, by, _) = new Aftercare.Measures.MeasuresQuery("2026-01", "2026-12", null, null, null, null, "Site").Parse(app.Clock.GetUtcNow(), app.Services.GetRequiredService<LocalTime>());
        var onPrimary = await app.Read(db => ServiceMeasures.Compute(db, app.Services.GetRequiredService<LocalTime>(), filter, by, app.Services.GetRequiredService<MeasuresOptions>().SuppressBelow, Ct));
        Assert.Equal(Aftercare.Measures.MeasuresCsv.Write(onPrimary), after);

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

    private static async Task<Guid> Present(AftercareApplication app, HttpClient clinician)
    {
        var response = await clinician.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-3), newPerson: Requests.NewPerson(Requests.NewMrn())), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("personId").GetGuid();
    }
}
