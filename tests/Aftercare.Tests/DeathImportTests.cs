using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Mortality;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>Issue #7: mortality linkage from a CSV file, through the `aftercare deaths import` binary.</summary>
public sealed class DeathImportTests(AftercareApplication app) : IClassFixture<AftercareApplication>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("aftercare-deaths-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Day(int daysFromNow) => DateOnly.FromDateTime(AftercareApplication.Now.UtcDateTime).AddDays(daysFromNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);


    /// <summary>A new person who presented 30 days ago: their MRN, NHS number and id.</summary>
    private async Task<(string Mrn, string Nhs, Guid Id)> Person(string family)
    {
        var client = await app.ClientFor(Roles.Clinician);
        var (mrn, nhs) = (Requests.NewMrn(), Requests.NewNhsNumber());
        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddDays(-30), newPerson: Requests.NewPerson(mrn, family: family, nhs: nhs)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (mrn, nhs, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid());
    }

    private string File(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllLines(path, lines);
        return path;
    }

    private Task<(int Code, string Out, string Err)> Import(string file, bool dryRun) =>
        dryRun ? CliTests.Aftercare(null, "deaths", "import", file, "--dry-run", "--db", app.Database) : CliTests.Aftercare(null, "deaths", "import", file, "--db", app.Database);

    private Task<(int Deaths, int Audit)> Counts() => app.Read(async db => (await db.Deaths.CountAsync(), await db.AuditEvents.CountAsync()));

    /// <summary>Two people who match, one identifier no one has, and four rows that conflict.</summary>
    private async Task<(string File, string[] Secrets)> MixedFile()
    {
        var (a, b, c) = (await Person("Fictional-Alder"), await Person("Fictional-Birch"), await Person("Fictional-Cedar"));
        var file = File($"mixed-{Guid.NewGuid():N}.csv",
            "identifier,system,date_of_death,cause",
            $"{a.Mrn},mrn,{Day(-10)},suicide",
            "ZZ-NOT-HERE-1,mrn," + Day(-10) + ",other",
            $"nhs:{b.Nhs},,{Day(-5)},undetermined",
            $"{a.Mrn},mrn,{Day(-10)},suicide",
            $"{c.Mrn},mrn,2026-02-30,other",
            $"{c.Nhs},nhs,{Day(-3)},misadventure",
            $"{c.Mrn},mrn,{Day(-40)},other");
        return (file, [a.Mrn, b.Nhs, c.Mrn, c.Nhs, "Fictional-Alder", "Fictional-Birch", "Fictional-Cedar"]);
    }

    [Fact]
    public async Task A_dry_run_writes_nothing_and_reports_matched_unmatched_and_conflicting_rows_by_line_number()
    {
        var (file, secrets) = await MixedFile();
        var before = await Counts();

        var run = await Import(file, dryRun: true);

        Assert.Equal(before, await Counts());
        Assert.Equal(1, run.Code);
        Assert.Contains("matched: 2", run.Out, StringComparison.Ordinal);
        Assert.Contains("unmatched: 1", run.Out, StringComparison.Ordinal);
        Assert.Contains("conflicting: 4", run.Out, StringComparison.Ordinal);
        Assert.Contains("line 3: identifier not found", run.Out, StringComparison.Ordinal);
        Assert.Contains("line 5: the same person as line 2", run.Out, StringComparison.Ordinal);
        Assert.Contains("line 6: the date of death is not a date", run.Out, StringComparison.Ordinal);
        Assert.Contains("line 7: the cause is not one of suicide, undetermined or other", run.Out, StringComparison.Ordinal);
        Assert.Contains("line 8: the date of death is before the person's first recorded presentation", run.Out, StringComparison.Ordinal);
        Assert.Contains("Dry run: nothing was written", run.Out, StringComparison.Ordinal);
        // Line numbers and counts only: no identifier, name or date is echoed.
        Assert.All(secrets.Append(Day(-10)), s => Assert.DoesNotContain(s, run.Out + run.Err, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_real_import_is_all_or_nothing_one_bad_row_and_nothing_is_written()
    {
        var (file, _) = await MixedFile();
        var before = await Counts();

        var run = await Import(file, dryRun: false);

        Assert.Equal(1, run.Code);
        Assert.Contains("Nothing was written", run.Out, StringComparison.Ordinal);
        Assert.Equal(before, await Counts());

        // Even a file with a single bad line among good ones.
        var (a, b) = (await Person("Fictional-Elm"), await Person("Fictional-Fir"));
        var oneBad = File("one-bad.csv", "identifier,system,date_of_death,cause", $"mrn:{a.Mrn},,{Day(-2)},other", $"mrn:{b.Mrn},,{Day(-2)},unknown");
        before = await Counts();
        Assert.Equal(1, (await Import(oneBad, dryRun: false)).Code);
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task One_death_reads_as_one_death_not_1_deaths()
    {
        var a = await Person("Fictional-Juniper");
        var file = File("one-death.csv", "identifier,system,date_of_death,cause", $"mrn:{a.Mrn},,{Day(-3)},other");

        var dry = await Import(file, dryRun: true);
        Assert.True(dry.Code == 0, dry.Out + dry.Err);
        Assert.Contains(": 1 row.", dry.Out, StringComparison.Ordinal);
        Assert.Contains("An import would record 1 death.", dry.Out, StringComparison.Ordinal);

        var run = await Import(file, dryRun: false);
        Assert.True(run.Code == 0, run.Out + run.Err);
        Assert.Contains("Recorded 1 death.", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("1 deaths", dry.Out + run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("1 rows", dry.Out + run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clean_file_is_imported_and_audited_and_importing_it_again_finds_it_already_present()
    {
        var (a, b) = (await Person("Fictional-Hazel"), await Person("Fictional-Ivy"));
        var file = File("deaths-2026-11.csv", "Identifier,System,Date_of_death,Cause", $"{a.Mrn},mrn,{Day(-4)},suicide", $"{b.Nhs},nhs,{Day(-1)},other", "ZZ-NOT-HERE-2,mrn," + Day(-1) + ",other");
        var before = await Counts();

        var dry = await Import(file, dryRun: true);
        Assert.True(dry.Code == 0, dry.Out + dry.Err);
        Assert.Equal(before, await Counts());

        var run = await Import(file, dryRun: false);
        Assert.True(run.Code == 0, run.Out + run.Err);
        Assert.Contains("Recorded 2 deaths", run.Out, StringComparison.Ordinal);
        Assert.Contains("line 4: identifier not found", run.Out, StringComparison.Ordinal);
        var deaths = await app.Read(db => db.Deaths.Where(d => d.PersonId == a.Id || d.PersonId == b.Id).OrderBy(d => d.DateOfDeath).ToListAsync());
        Assert.Equal(2, deaths.Count);
        Assert.Equal((DeathCause.Suicide, DateOnly.Parse(Day(-4), CultureInfo.InvariantCulture)), (deaths[0].Cause, deaths[0].DateOfDeath));
        Assert.All(deaths, d => Assert.Equal("deaths-2026-11.csv", d.SourceFile));
        Assert.All(deaths, d => Assert.Equal(64, d.SourceHash.Length));
        Assert.Contains(await app.AuditFor(a.Id), e => e.Action == AuditAction.DeathRecorded && e.EntityId == deaths[0].Id.ToString());
        Assert.Contains(await app.AuditFor(b.Id), e => e.Action == AuditAction.DeathRecorded);
        Assert.True(await app.Read(db => db.AuditEvents.AnyAsync(e => e.Action == AuditAction.DeathsImported && e.EntityId == deaths[0].SourceHash)));

        var afterFirst = await Counts();
        var again = await Import(file, dryRun: false);
        Assert.True(again.Code == 0, again.Out + again.Err);
        Assert.Contains("already present: 2", again.Out, StringComparison.Ordinal);
        Assert.Contains("Nothing new to record", again.Out, StringComparison.Ordinal);
        Assert.Equal(afterFirst, await Counts());

        // A different cause for someone already recorded is a conflict, not an overwrite.
        var differs = File("differs.csv", "identifier,system,date_of_death,cause", $"{a.Mrn},mrn,{Day(-4)},other");
        var conflict = await Import(differs, dryRun: false);
        Assert.Equal(1, conflict.Code);
        Assert.Contains("line 2: differs from the death already recorded", conflict.Out, StringComparison.Ordinal);
        Assert.Equal(afterFirst, await Counts());
    }

    [Fact]
    public async Task A_file_without_the_columns_is_refused_before_anything_is_read()
    {
        var file = File("no-header.csv", "DEMO0001,2026-11-01,suicide");
        var run = await Import(file, dryRun: true);
        Assert.Equal(2, run.Code);
        Assert.Contains("line 1 must name the columns", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("DEMO0001", run.Out + run.Err, StringComparison.Ordinal);
    }
}
