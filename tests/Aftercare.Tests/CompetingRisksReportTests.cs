using System.Globalization;
using System.Text.RegularExpressions;
using Aftercare.App.Evaluation;

namespace Aftercare.Tests;

/// <summary>
/// Issue 15, competing risks in the report `aftercare evaluate` writes: per outcome, the cumulative
/// incidence beside 1 − Kaplan–Meier and the Fine–Gray subdistribution hazard ratio with what it means,
/// or, when nothing can be estimated, a plain sentence saying why.
/// </summary>
public sealed partial class CompetingRisksReportTests
{
    private static async Task<string> Report(IReadOnlyList<CohortRow> rows)
    {
        var folder = Directory.CreateTempSubdirectory("aftercare-competing-").FullName;
        var cohort = Path.Combine(folder, "cohort.csv");
        await using (var writer = new StreamWriter(cohort))
        {
            await CohortCsv.WriteAsync(writer, rows, TestContext.Current.CancellationToken);
        }

        var report = Path.Combine(folder, "report.html");
        var run = await CliTests.Aftercare(null, "evaluate", "--cohort", cohort, "--out", report);
        Assert.True(run.Code == 0, run.Err + run.Out);
        return await File.ReadAllTextAsync(report, TestContext.Current.CancellationToken);
    }

    /// <summary>The part of the report under one outcome's "Competing risks" heading.</summary>
    private static string Section(string html, string outcome)
    {
        var start = html.IndexOf($"<h3 id=\"{outcome}-competing\">Competing risks</h3>", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no competing-risks section for {outcome}");
        var end = html.IndexOf("</section>", start, StringComparison.Ordinal);
        return html[start..end];
    }

    /// <summary>
    /// One rule for every table: a new category, sex "other", held by a few people none of whom came back for help (some died
    /// first). crr would print its subdistribution HR as a number (it stops after 10 iterations with exp(coef) near 0); the
    /// report says it is not estimable and why, and still gives engagement from the model refitted without it.
    /// </summary>
    [Fact]
    public async Task A_level_with_no_events_of_the_cause_is_not_estimable_in_the_Fine_Gray_table_with_the_reason_and_engagement_is_still_given()
    {
        var rows = SyntheticCohort.Generate(3_000, seed: 11);
        var chosen = rows.Where(r => !r.Repeat).Take(12).Select(r => r.Pid).ToHashSet(StringComparer.Ordinal);
        rows = [.. rows.Select(r => chosen.Contains(r.Pid) ? r with { Sex = "other" } : r)];
        var result = EvaluateProgramme.Run(rows);
        var fineGray = result.Outcomes[0].CompetingRisks!.Adjusted!;
        Assert.Equal(Aftercare.Statistics.NotEstimableTerm.Infinite, fineGray.WhyNotEstimable("sex=other"));
        Assert.Null(fineGray.WhyNotEstimable("engaged"));

        var section = Section(await Report(rows), "repeat");
        Assert.Contains("<tr><th scope=\"row\">Sex: other</th><td colspan=\"4\">not estimable: the estimate runs towards zero or infinity: in one of the groups compared, nobody or everybody had the event</td></tr>", section, StringComparison.Ordinal);
        Assert.Matches(@"<tr><th scope=""row"">Engaged</th><td>\d\.\d\d</td>", section);
    }

    [Fact]
    public async Task The_report_shows_the_cumulative_incidence_below_one_minus_Kaplan_Meier_and_the_subdistribution_hazard_ratio_with_its_caveat()
    {
        // One in eight of those who did not come back died when their follow-up for repetition ended: deaths first, often enough to show.
        var rows = SyntheticCohort.Generate(3_000, seed: 7)
            .Select((r, i) => i % 8 == 0 && !r.Repeat ? r with { DeathAny = true, DeathSuicide = i % 16 == 0, DaysToDeath = r.DaysToRepeat } : r)
            .ToList();
        var html = await Report(rows);

        foreach (var outcome in new[] { "repeat", "death_suicide" })
        {
            var section = Section(html, outcome);
            Assert.Contains("overstates the chance of", section, StringComparison.Ordinal);
            Assert.Contains("The <strong>cumulative incidence</strong> does not", section, StringComparison.Ordinal);
            Assert.Contains("Subdistribution hazard ratio", section, StringComparison.Ordinal);
            Assert.Contains("It is not a hazard ratio of the rate of", section, StringComparison.Ordinal);
            Assert.Matches(EngagedRow(), section);

            // Deaths come first for some people, so the incidence is never above 1 − Kaplan–Meier, and is below it by day 365.
            var cells = IncidenceCell().Matches(section).Select(m => (Incidence: Number(m.Groups[1].Value), OneMinusKm: Number(m.Groups[2].Value))).ToList();
            Assert.Equal(6, cells.Count); // two groups, three days
            Assert.All(cells, c => Assert.True(c.Incidence <= c.OneMinusKm, $"{c.Incidence} above 1 − KM {c.OneMinusKm}"));
            if (outcome == "repeat")
            {
                Assert.Contains(cells, c => c.Incidence < c.OneMinusKm);
            }
        }

        Assert.Contains("Nothing can come before death from any cause", Section(html, "death_any"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_linked_mortality_the_report_says_deaths_before_a_repeat_are_unknown_and_gives_only_Kaplan_Meier()
    {
        var section = Section(await Report(SyntheticCohort.Generate(500, seed: 3, mortalityLinked: false)), "repeat");

        Assert.Contains("Competing risks are not estimated: mortality data are not linked", section, StringComparison.Ordinal);
        Assert.Contains("Only 1 − Kaplan–Meier is given above", section, StringComparison.Ordinal);
        Assert.DoesNotContain("<table", section, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_competing_death_at_all_the_report_says_so_plainly_and_gives_only_Kaplan_Meier()
    {
        var rows = SyntheticCohort.Generate(500, seed: 3).Select(r => r with { DeathAny = false, DeathSuicide = false }).ToList();

        var section = Section(await Report(rows), "repeat");

        Assert.Contains("Competing risks are not estimated: nobody in the cohort had a competing event", section, StringComparison.Ordinal);
        Assert.Contains("1 − Kaplan–Meier above is the cumulative incidence", section, StringComparison.Ordinal);
        Assert.DoesNotContain("<table", section, StringComparison.Ordinal);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"<td>(\d\.\d{3}) \(\d\.\d{3} to \d\.\d{3}\)<br><small>1 − Kaplan–Meier: (\d\.\d{3})</small></td>")]
    private static partial Regex IncidenceCell();

    [GeneratedRegex(@"<tr><th scope=""row"">Engaged</th><td>\d\.\d\d</td><td>\d\.\d\d to \d\.\d\d</td>")]
    private static partial Regex EngagedRow();
}
