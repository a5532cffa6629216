using Aftercare.Domain.Mortality;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Aftercare.App.Evaluation;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>The programme evaluation: the cohort drawn from the record, its CSV round trip, and `aftercare evaluate`.</summary>
public sealed partial class EvaluationTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_cohort_round_trips_through_CSV_and_gives_identical_results()
    {
        var rows = SyntheticCohort.Generate(3_000, seed: 7);
        using var buffer = new StringWriter();
        await CohortCsv.WriteAsync(buffer, rows, TestContext.Current.CancellationToken);
        var read = await CohortCsv.ReadAsync(new StringReader(buffer.ToString()), ct: TestContext.Current.CancellationToken);

        Assert.True(read.IsSuccess, string.Join("\n", read.Errors));
        Assert.Equal(rows, read.Value);
        var context = new ReportContext("the same cohort", Now, null, null);
        Assert.Equal(
            EvaluationReport.Render(EvaluateProgramme.Run(rows), context),
            EvaluationReport.Render(EvaluateProgramme.Run(read.Value), context));
    }

    [Fact]
    public async Task Opening_the_programme_evaluation_page_is_audited_once_as_a_view_of_aggregates()
    {
        var manager = await app.ClientFor(Aftercare.Domain.Users.Roles.ServiceManager);
        var before = await app.Read(db => db.AuditEvents.CountAsync(e => e.EntityId == "programme evaluation"));

        var page = await manager.GetAsync("measures/evaluation", TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Aftercare programme evaluation", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var events = await app.Read(db => db.AuditEvents.Where(e => e.EntityId == "programme evaluation").ToListAsync());
        Assert.Equal(before + 1, events.Count);
        Assert.Equal(Aftercare.Domain.Audit.AuditAction.MeasuresViewed, events[^1].Action);
        Assert.Null(events[^1].PersonId);
    }

    [Fact]
    public async Task A_malformed_cohort_file_is_refused_with_every_problem_and_its_line_number()
    {
        var csv = string.Join('\n',
            string.Join(',', CohortCsv.Columns),
            "a1,25-44,female,no,1,adult,30,1,,,",
            "a2,25-44,woman,no,2,adult,-4,1,,,",
            "a3,99+,male,yes,0,,12,0,,,",
            "a4,18-24,male,yes,0,adult,40,0,50,1,0");
        var read = await CohortCsv.ReadAsync(new StringReader(csv), ct: TestContext.Current.CancellationToken);

        Assert.False(read.IsSuccess);
        var messages = read.Errors.Select(e => e.Message).ToList();
        Assert.Contains(messages, m => m.StartsWith("Line 3: sex is \"woman\"", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 3: engaged is \"2\"", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 3: days_to_repeat is \"-4\"", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 4: age_band is \"99+\"", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 4: pathway is empty", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 5: this row has death columns", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 5: death_suicide is 1 but death_any is 0", StringComparison.Ordinal));

        var header = await CohortCsv.ReadAsync(new StringReader("pid,time,status\nx,1,1"), ct: TestContext.Current.CancellationToken);
        Assert.Contains("Line 1: the header lacks the column(s) age_band", header.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cohort_starts_follow_up_at_the_landmark_and_counts_engagement_only_before_it()
    {
        Guid engagedPerson = Guid.NewGuid(), latePerson = Guid.NewGuid(), returnedEarly = Guid.NewGuid(), diedLater = Guid.NewGuid();
        var index = Now.AddDays(-200);
        ExtractCohort.PersonFacts Person(Guid id, Sex sex) => new(id, new DateOnly(1990, 1, 1), sex, PriorPsychiatricHistory.No);
        var people = new[] { Person(engagedPerson, Sex.Female), Person(latePerson, Sex.Male), Person(returnedEarly, Sex.Female), Person(diedLater, Sex.Other) };
        var presentations = new List<ExtractCohort.PresentationFacts>
        {
            new(Guid.NewGuid(), engagedPerson, index),
            new(Guid.NewGuid(), engagedPerson, index.AddDays(50)), // came back for help 43 days after the landmark
            new(Guid.NewGuid(), latePerson, index),
            new(Guid.NewGuid(), returnedEarly, index),
            new(Guid.NewGuid(), returnedEarly, index.AddDays(3)), // before the landmark: not in the comparison
            new(Guid.NewGuid(), diedLater, index),
        };
        var episode = new ExtractCohort.EpisodeFacts(Guid.NewGuid(), presentations[0].Id, "adult");
        var contacts = new[]
        {
            new ExtractCohort.ContactFacts(engagedPerson, episode.Id, index.AddDays(2)),
            new ExtractCohort.ContactFacts(latePerson, Guid.NewGuid(), index.AddDays(9)), // after the landmark: not engaged
        };
        var deaths = new[] { new LinkedDeath(diedLater, DateOnly.FromDateTime(index.AddDays(100).UtcDateTime), DeathCause.Undetermined) };
        var key = RandomNumberGenerator.GetBytes(32);

        var cohort = ExtractCohort.Build(people, presentations, [episode], contacts, deaths, Now, key, new EvaluationSettings(EngagementDays: 7, FollowUpDays: 365));

        Assert.Equal(3, cohort.Rows.Count);
        Assert.Equal(1, cohort.ReturnedBeforeLandmark);
        using var hmac = new HMACSHA256(key);
        var engaged = cohort.Rows.Single(r => r.Pid == ExtractCohort.Pseudonym(hmac, engagedPerson));
        Assert.Equal((true, "adult", 43, true, "25-44", "female"), (engaged.Engaged, engaged.Pathway, engaged.DaysToRepeat, engaged.Repeat, engaged.AgeBand, engaged.Sex));
        var late = cohort.Rows.Single(r => r.Pid == ExtractCohort.Pseudonym(hmac, latePerson));
        Assert.Equal((false, "none", 193, false), (late.Engaged, late.Pathway, late.DaysToRepeat, late.Repeat));
        var died = cohort.Rows.Single(r => r.Pid == ExtractCohort.Pseudonym(hmac, diedLater));
        // Undetermined intent counts with suicide; repetition is censored at death.
        Assert.Equal((true, true, 94, false, 94), (died.DeathAny, died.DeathSuicide, died.DaysToDeath, died.Repeat, died.DaysToRepeat));
        Assert.DoesNotContain(cohort.Rows, r => r.Pid.Contains(engagedPerson.ToString("N")[..8], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Evaluate_exports_the_cohort_from_the_record_and_reruns_the_same_analysis_from_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("aftercare-evaluate-").FullName;
        var csv = Path.Combine(folder, "cohort.csv");
        var fromRecord = Path.Combine(folder, "from-record.html");
        var fromFile = Path.Combine(folder, "from-file.html");

        var exported = await CliTests.Aftercare(null, "evaluate", "--db", app.Database, "--export-cohort", csv, "--out", fromRecord);
        Assert.True(exported.Code == 0, exported.Err + exported.Out);
        Assert.Contains("mortality data not linked", exported.Out, StringComparison.Ordinal);
        Assert.Contains("random key that was not kept", exported.Out, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync(csv, TestContext.Current.CancellationToken);
        Assert.Equal(string.Join(',', [.. CohortCsv.Columns, .. CohortCsv.FollowUpColumns]), lines[0]);
        Assert.True(lines.Length > 5, $"only {lines.Length - 1} rows");
        // Pseudonyms only: no person id, name or date in the file.
        var names = await app.Read(db => db.People.Select(p => p.Id).ToListAsync());
        var text = await File.ReadAllTextAsync(csv, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(names, id => text.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotMatch(DateLike(), text);

        var rerun = await CliTests.Aftercare(null, "evaluate", "--cohort", csv, "--out", fromFile);
        Assert.True(rerun.Code == 0, rerun.Err + rerun.Out);
        var a = await File.ReadAllTextAsync(fromRecord, TestContext.Current.CancellationToken);
        var b = await File.ReadAllTextAsync(fromFile, TestContext.Current.CancellationToken);
        Assert.Equal(a[a.IndexOf("<section>", StringComparison.Ordinal)..], b[b.IndexOf("<section>", StringComparison.Ordinal)..]);

        // Self-contained and within the app's Content-Security-Policy: no script, no inline style.
        Assert.Contains("<svg", a, StringComparison.Ordinal);
        Assert.Contains("Mortality data are not linked", a, StringComparison.Ordinal);
        Assert.Contains("not a prediction", a.Replace("Nothing in this report is a prediction", "not a prediction", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotMatch(ScriptOrStyle(), a);
    }

    [Fact]
    public async Task Evaluate_explains_a_bad_cohort_file_and_exits_non_zero()
    {
        var csv = Path.Combine(Directory.CreateTempSubdirectory("aftercare-evaluate-").FullName, "bad.csv");
        await File.WriteAllTextAsync(csv, string.Join(',', CohortCsv.Columns) + "\nx,25-44,female,no,yes,adult,10,1,,,\n", TestContext.Current.CancellationToken);
        var run = await CliTests.Aftercare(null, "evaluate", "--cohort", csv);
        Assert.NotEqual(0, run.Code);
        Assert.Contains("Line 2: engaged is \"yes\"; expected 0 or 1.", run.Err, StringComparison.Ordinal);

        var both = await CliTests.Aftercare(null, "evaluate", "--cohort", csv, "--db", app.Database);
        Assert.NotEqual(0, both.Code);
        Assert.Contains("--cohort analyses a file", both.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cohort_file_with_one_person_on_two_rows_is_refused_without_echoing_the_pid()
    {
        var csv = Path.Combine(Directory.CreateTempSubdirectory("aftercare-evaluate-").FullName, "twice.csv");
        await File.WriteAllTextAsync(csv, string.Join(',', CohortCsv.Columns)
            + "\nSYNTH-0042,25-44,female,no,1,adult,10,1,,,\nSYNTH-0043,25-44,male,no,0,adult,20,0,,,\nSYNTH-0042,25-44,female,no,1,adult,30,1,,,\n", TestContext.Current.CancellationToken);
        var run = await CliTests.Aftercare(null, "evaluate", "--cohort", csv);
        Assert.NotEqual(0, run.Code);
        Assert.Contains("Line 4: this pid is already on line 2: each person is one row.", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("SYNTH-0042", run.Err + run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pathway_a_spreadsheet_would_run_as_a_formula_comes_out_of_the_cohort_as_text_and_reads_back_the_same()
    {
        // Every pathway id made to start with "=", as a pathway file could have it; put back after.
        await app.Read(db => db.Episodes.ExecuteUpdateAsync(e => e.SetProperty(x => x.PathwayId, x => "=" + x.PathwayId)));
        try
        {
            var folder = Directory.CreateTempSubdirectory("aftercare-evaluate-").FullName;
            var csv = Path.Combine(folder, "cohort.csv");
            var exported = await CliTests.Aftercare(null, "evaluate", "--db", app.Database, "--export-cohort", csv);
            Assert.True(exported.Code == 0, exported.Err + exported.Out);

            var rows = (await File.ReadAllLinesAsync(csv, TestContext.Current.CancellationToken)).Skip(1).Select(l => l.Split(',')).ToList();
            Assert.Contains(rows, r => r[5].StartsWith("'=", StringComparison.Ordinal));
            Assert.DoesNotContain(rows, r => r.Any(cell => cell.StartsWith('=')));
            // Numbers stay plain numbers: R and Stata read the day counts as numbers.
            Assert.All(rows, r => Assert.Matches(@"^\d+$", r[6]));

            var read = await CohortCsv.ReadAsync(new StringReader(await File.ReadAllTextAsync(csv, TestContext.Current.CancellationToken)), ct: TestContext.Current.CancellationToken);
            Assert.True(read.IsSuccess, string.Join("\n", read.Errors));
            Assert.Contains(read.Value, r => r.Pathway.StartsWith('='));
        }
        finally
        {
            await app.Read(db => db.Episodes.Where(e => EF.Functions.Like(e.PathwayId, "=%")).ExecuteUpdateAsync(e => e.SetProperty(x => x.PathwayId, x => x.PathwayId.Substring(1))));
        }
    }

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex DateLike();

    [GeneratedRegex(@"<script|<style|\sstyle=|javascript:", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();
}
