using System.Globalization;
using Aftercare.App.Evaluation;
using Aftercare.Domain.Mortality;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 15, the interrupted time series: the monthly series counted from the record, its CSV, the report's
/// section "Over time", and `aftercare evaluate --programme-start / --export-series / --series`.
/// </summary>
public sealed class TimeSeriesTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private static readonly DateOnly January2022 = new(2022, 1, 1);

    [Fact]
    public void Each_month_counts_presentations_and_repeats_in_the_services_time_zone_and_deaths_by_their_date_as_counted_by_hand()
    {
        Guid ann = Guid.NewGuid(), bea = Guid.NewGuid(), cal = Guid.NewGuid();
        ExtractCohort.PresentationFacts At(Guid person, string utc) => new(Guid.NewGuid(), person, DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture));
        var presentations = new[]
        {
            At(ann, "2026-01-10T09:00:00Z"), // January: Ann's first
            At(bea, "2026-01-31T23:30:00Z"), // still January in London (GMT)
            At(ann, "2026-03-31T23:30:00Z"), // 00:30 on 1 April in London (BST): April, Ann's repeat
            At(cal, "2026-04-15T12:00:00Z"), // April: Cal's first
            At(bea, "2026-04-20T12:00:00Z"), // April: Bea's repeat
            At(cal, "2026-05-02T12:00:00Z"), // May is the month "now" is in: not complete, not counted
        };
        var deaths = new[]
        {
            new LinkedDeath(bea, new DateOnly(2026, 2, 3), DeathCause.Undetermined), // counts with suicide, as in the cohort
            new LinkedDeath(bea, new DateOnly(2026, 3, 9), DeathCause.Other), // a second record for the same person: only the first counts
            new LinkedDeath(cal, new DateOnly(2026, 4, 30), DeathCause.Other),
        };
        var now = new DateTimeOffset(2026, 5, 20, 12, 0, 0, TimeSpan.Zero);

        var series = MonthlySeries.Build(presentations, deaths, now, London.Zone);

        // month, presentations, repeats, deaths (any), deaths (suicide): January to April, February and March with none.
        Assert.Equal(
            [("2026-01", 2, 0, 0, 0), ("2026-02", 0, 0, 1, 1), ("2026-03", 0, 0, 0, 0), ("2026-04", 3, 2, 1, 0)],
            series.Months.Select(m => (m.Label, m.Presentations, m.RepeatPresentations, m.DeathsAny!.Value, m.DeathsSuicide!.Value)));
        Assert.True(series.MortalityLinked);

        // In UTC, Ann's 23:30 on 31 March would be a March presentation: the zone matters.
        Assert.Equal(1, MonthlySeries.Build(presentations, deaths, now, TimeZoneInfo.Utc).Months.Single(m => m.Label == "2026-03").Presentations);

        // Without linked mortality the death columns are empty, not zero.
        var unlinked = MonthlySeries.Build(presentations, null, now, London.Zone);
        Assert.False(unlinked.MortalityLinked);
        Assert.All(unlinked.Months, m => Assert.Null(m.DeathsAny));
    }

    [Fact]
    public async Task The_series_round_trips_through_CSV_and_a_malformed_file_is_refused_with_every_problem_and_its_line()
    {
        var series = SyntheticSeries.Generate(January2022, 30, 15, seed: 4);
        using var buffer = new StringWriter();
        await MonthlySeries.WriteCsvAsync(buffer, series, TestContext.Current.CancellationToken);
        Assert.StartsWith("month,presentations,repeat_presentations,deaths_any,deaths_suicide\n2022-01,", buffer.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var read = await MonthlySeries.ReadCsvAsync(new StringReader(buffer.ToString()), ct: TestContext.Current.CancellationToken);
        Assert.True(read.IsSuccess, string.Join("\n", read.Errors));
        Assert.Equal(series.Months, read.Value.Months);
        Assert.True(read.Value.MortalityLinked);

        var bad = string.Join('\n', string.Join(',', MonthlySeries.Columns), "2024-01,10,2,1,0", "2024-03,10,2,1,0", "2024-04,5,7,1,2", "2024-05,x,1,,");
        var refused = await MonthlySeries.ReadCsvAsync(new StringReader(bad), ct: TestContext.Current.CancellationToken);
        Assert.False(refused.IsSuccess);
        var messages = refused.Errors.Select(e => e.Message).ToList();
        Assert.Contains(messages, m => m.StartsWith("Line 3: month 2024-03 does not follow 2024-01", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 4: repeat_presentations is more than presentations", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 4: deaths_suicide is more than deaths_any", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 5: presentations is \"x\"", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 5: deaths_any and deaths_suicide are empty, but earlier rows have them", StringComparison.Ordinal));
    }

    [Fact]
    public void The_report_shows_the_changes_at_the_start_with_rate_ratios_beside_deaths_and_engagement()
    {
        var series = SyntheticSeries.Generate(January2022, 48, 24, seed: 15);
        var its = InterruptedTimeSeries.Run(series, new DateOnly(2024, 1, 1));
        var cohort = EvaluateProgramme.Run(SyntheticCohort.Generate(500, seed: 3));
        var html = EvaluationReport.Render(cohort, new ReportContext("a synthetic service", AftercareApplication.Now, null, null, TimeSeries: its));

        Assert.Null(its.NotFitted);
        Assert.Contains("<h2>Over time: before and after the programme started</h2>", html, StringComparison.Ordinal);
        var presentations = its.Outcomes.Single(o => o.Outcome == SeriesOutcome.Presentations).Fit!;
        Assert.Equal(Aftercare.Statistics.CountModel.Poisson, presentations.Model);
        var level = presentations.LevelChange!;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{level.Estimate:F2} ({level.Lower:F2} to {level.Upper:F2})"), html, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Poisson (dispersion {presentations.PoissonDispersion:F2})"), html, StringComparison.Ordinal);
        // Every count, deaths included, and engagement beside them; repetition read in plain words.
        foreach (var title in new[] { "Repeat presentations", "Deaths by suicide (including undetermined intent)", "Deaths from any cause" })
        {
            Assert.Contains($"{title}, month by month", html, StringComparison.Ordinal);
        }

        Assert.Contains("were reached by aftercare by the landmark", html, StringComparison.Ordinal);
        Assert.Contains("So repeat presentations can go up while people are safer.", html, StringComparison.Ordinal);
        // The plot is accessible: an image with a title and a description in words.
        Assert.Contains("role=\"img\" aria-labelledby=\"fig-its-presentations desc-its-presentations\"", html, StringComparison.Ordinal);
        Assert.Contains("<desc id=\"desc-its-presentations\">On average", html, StringComparison.Ordinal);
        // It comes before the survival analysis of people.
        Assert.True(html.IndexOf("id=\"over-time\"", StringComparison.Ordinal) < html.IndexOf("<h2>Methods</h2>", StringComparison.Ordinal));

        // An overdispersed series is fitted by the negative binomial, and the report says which and why.
        var nb = InterruptedTimeSeries.Run(SyntheticSeries.Generate(January2022, 48, 24, seed: 15, overdispersed: true), new DateOnly(2024, 1, 1));
        Assert.Equal(Aftercare.Statistics.CountModel.NegativeBinomial, nb.Outcomes[0].Fit!.Model);
        Assert.Contains("so the negative binomial was used", EvaluationReport.Render(null, new ReportContext("a series", AftercareApplication.Now, null, null, TimeSeries: nb)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_series_too_short_to_fit_says_so_and_why_instead_of_failing()
    {
        var series = SyntheticSeries.Generate(January2022, 10, 4, seed: 1);
        var its = InterruptedTimeSeries.Run(series, new DateOnly(2022, 5, 1));
        var html = EvaluationReport.Render(null, new ReportContext("a short series", AftercareApplication.Now, null, null, TimeSeries: its));

        Assert.Empty(its.Outcomes);
        Assert.Contains("<strong>The time series cannot be fitted yet:</strong> it needs at least 6 complete months before the programme started and 6 from its start on", html, StringComparison.Ordinal);
        Assert.Contains("the record has 4 before and 6 from May 2022 on (2022-01 to 2022-10)", html, StringComparison.Ordinal);
        Assert.Contains("the programme&#39;s start month is not configured", EvaluationReport.Render(null, new ReportContext("s", AftercareApplication.Now, null, null, TimeSeries: InterruptedTimeSeries.Run(series, null))), StringComparison.Ordinal);

        // A count with no deaths before the start is not fitted, and says why, while the others are.
        var months = SyntheticSeries.Generate(January2022, 24, 12, seed: 2).Months.Select((m, i) => m with { DeathsSuicide = i < 12 ? 0 : m.DeathsSuicide }).ToList();
        var noDeathsBefore = InterruptedTimeSeries.Run(new ServiceSeries(months, true), new DateOnly(2023, 1, 1));
        Assert.Null(noDeathsBefore.Outcomes.Single(o => o.Outcome == SeriesOutcome.DeathsSuicide).Fit);
        Assert.Contains("no deaths by suicide were recorded before the programme started", EvaluationReport.Render(null, new ReportContext("s", AftercareApplication.Now, null, null, TimeSeries: noDeathsBefore)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_programme_start_that_is_not_a_month_is_refused_clearly_and_nothing_is_written()
    {
        var folder = Directory.CreateTempSubdirectory("aftercare-its-").FullName;
        var report = Path.Combine(folder, "report.html");
        var series = Path.Combine(folder, "series.csv");

        var run = await CliTests.Aftercare(null, "evaluate", "--db", app.Database, "--programme-start", "April 2024", "--out", report, "--export-series", series);

        Assert.NotEqual(0, run.Code);
        Assert.Contains("--programme-start \"April 2024\" is not a month written yyyy-MM (for example 2025-04, the programme's first month). Nothing was written.", run.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(report));
        Assert.False(File.Exists(series));

        // The same in configuration.
        var configured = await CliTests.AftercareWith(new Dictionary<string, string?> { [InterruptedTimeSeries.ProgrammeStartSetting] = "2024-13" }, null, "evaluate", "--db", app.Database, "--out", report);
        Assert.NotEqual(0, configured.Code);
        Assert.Contains("Aftercare:Evaluation:ProgrammeStart \"2024-13\" is not a month written yyyy-MM", configured.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(report));
    }

    [Fact]
    public async Task The_series_exported_from_the_record_is_the_record_counted_by_month_and_reruns_from_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("aftercare-its-").FullName;
        var csv = Path.Combine(folder, "series.csv");
        var fromRecord = Path.Combine(folder, "from-record.html");

        var exported = await CliTests.Aftercare(null, "evaluate", "--db", app.Database, "--export-series", csv, "--programme-start", "2020-01", "--out", fromRecord);
        Assert.True(exported.Code == 0, exported.Err + exported.Out);
        Assert.Contains("Monthly series written to", exported.Out, StringComparison.Ordinal);

        // What the record holds, counted here the simple way: presentations not entered in error, in London months.
        var arrivals = await app.Read(db => db.Presentations.Where(p => p.EnteredInErrorAt == null).Select(p => new { p.PersonId, p.ArrivedAt }).ToListAsync());
        var now = DateTimeOffset.UtcNow;
        var current = TimeZoneInfo.ConvertTime(now, London.Zone).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var expected = arrivals
            .Select(p => (Month: TimeZoneInfo.ConvertTime(p.ArrivedAt, London.Zone).ToString("yyyy-MM", CultureInfo.InvariantCulture), Repeat: arrivals.Any(o => o.PersonId == p.PersonId && o.ArrivedAt < p.ArrivedAt)))
            .Where(p => string.CompareOrdinal(p.Month, current) < 0)
            .GroupBy(p => p.Month).ToDictionary(g => g.Key, g => (g.Count(), g.Count(p => p.Repeat)));
        var read = await MonthlySeries.ReadCsvAsync(new StringReader(await File.ReadAllTextAsync(csv, TestContext.Current.CancellationToken)), ct: TestContext.Current.CancellationToken);
        Assert.True(read.IsSuccess, string.Join("\n", read.Errors));
        Assert.Equal(expected, read.Value.Months.Where(m => m.Presentations > 0).ToDictionary(m => m.Label, m => (m.Presentations, m.RepeatPresentations)));
        Assert.Equal(expected.Values.Sum(v => v.Item1), read.Value.Months.Sum(m => m.Presentations));

        // The report from the record has the section (here: a start before the record, so not fitted, and why).
        Assert.Contains("<h2>Over time: before and after the programme started</h2>", await File.ReadAllTextAsync(fromRecord, TestContext.Current.CancellationToken), StringComparison.Ordinal);

        // The same file analysed alone gives a report of the time series only.
        var rerun = await CliTests.Aftercare(null, "evaluate", "--series", csv, "--programme-start", "2020-01", "--out", Path.Combine(folder, "from-file.html"));
        Assert.True(rerun.Code == 0, rerun.Err + rerun.Out);
        var both = await CliTests.Aftercare(null, "evaluate", "--series", csv, "--db", app.Database);
        Assert.NotEqual(0, both.Code);
        Assert.Contains("--series analyses a file", both.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_evaluation_page_has_the_time_series_section_and_says_when_the_start_is_not_configured()
    {
        var manager = await app.ClientFor(Aftercare.Domain.Users.Roles.ServiceManager);
        var page = await (await manager.GetAsync("measures/evaluation", TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("Over time: before and after the programme started", page, StringComparison.Ordinal);
        Assert.Contains("The time series cannot be fitted yet", page, StringComparison.Ordinal);
    }

    /// <summary>
    /// With Aftercare:Evaluation:ProgrammeStart set, the page fits the demo record's months, and its small monthly
    /// counts stay hidden: "fewer than 5" in the tables and no dot in the plots, the model's lines drawn.
    /// </summary>
    [Fact]
    public async Task The_evaluation_page_fits_the_configured_start_and_hides_small_monthly_counts_in_tables_and_plots()
    {
        await using var configured = new AftercareApplication(new() { [InterruptedTimeSeries.ProgrammeStartSetting] = "2025-11" });
        await configured.InitializeAsync();
        var manager = await configured.ClientFor(Aftercare.Domain.Users.Roles.ServiceManager);
        var page = await (await manager.GetAsync("measures/evaluation", TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("The programme started in <strong>November 2025</strong>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot be fitted yet", page, StringComparison.Ordinal);
        Assert.Contains("Presentations: segmented regression (", page, StringComparison.Ordinal);
        Assert.Contains("Monthly counts from 1 to 4 are not shown in the tables", page, StringComparison.Ordinal);
        Assert.Matches(@"<tr><th scope=""row"">\d{4}-\d{2}( \(programme started\))?</th><td>fewer than 5</td>", page);
        Assert.DoesNotMatch(@"<tr><th scope=""row"">\d{4}-\d{2}( \(programme started\))?</th><td>[1-4]</td>", page);
        Assert.Contains("months whose counts are not shown are left out of the dots", page, StringComparison.Ordinal);
        // Mortality is not linked in the demo record: no deaths, and repetition is said not to be readable alone.
        Assert.DoesNotContain("Deaths from any cause, month by month", page, StringComparison.Ordinal);
        Assert.Contains("a change in repeat presentations cannot be read on its own", page, StringComparison.Ordinal);
    }
}
