using System.Text.RegularExpressions;
using Aftercare.App.Evaluation;

namespace Aftercare.Tests;

/// <summary>
/// Issue 15: the report says, in words a service manager reads, whether the engagement hazard ratio
/// holds over follow-up, what engagement means in days and in people, and how strong a hidden factor
/// would have to be to explain it away.
/// </summary>
public sealed partial class EvaluationChecksReportTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void When_engaged_people_repeat_early_and_then_not_at_all_the_hazard_ratio_says_it_averages_a_changing_difference()
    {
        // Engaged people's repeat presentations all come in the first weeks: proportional hazards clearly fail.
        var rows = SyntheticCohort.Generate(3_000, seed: 7, mortalityLinked: false)
            .Select(r => r.Engaged && r.Repeat ? r with { DaysToRepeat = r.DaysToRepeat / 8 } : r).ToList();
        var result = EvaluateProgramme.Run(rows);
        var zph = result.Outcomes[0].Checks.ProportionalHazards!;
        Assert.True(zph["engaged"]!.P < 0.001, $"p = {zph["engaged"]!.P}");

        var html = EvaluationReport.Render(result, new ReportContext("a cohort", Now, null, null));

        // Beside the adjusted hazard ratio, in the adjusted table's engaged row.
        var adjusted = AdjustedTable().Match(html).Value;
        Assert.Contains("The difference changes over follow-up (proportional hazards test p &lt; 0.05, below): this single hazard ratio averages it.", EngagedRow().Match(adjusted).Value, StringComparison.Ordinal);
        Assert.Contains("<h4>Does the difference stay the same over follow-up?</h4>", html, StringComparison.Ordinal);
        Assert.Contains("<caption>Proportional hazards tests (scaled Schoenfeld residuals, as R's cox.zph)</caption>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>The difference between engaged and not engaged people changes over follow-up.</strong>", html, StringComparison.Ordinal);
        Assert.Contains("running mean of the scaled Schoenfeld residuals", html, StringComparison.Ordinal);
        Assert.Contains("aria-labelledby=\"fig-repeat-zph\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_gives_engagement_in_days_and_per_100_people_and_the_E_value_with_the_rule_it_used()
    {
        var result = EvaluateProgramme.Run(SyntheticCohort.Generate(3_000, seed: 7));
        var html = EvaluationReport.Render(result, new ReportContext("a cohort", Now, null, null));

        Assert.Equal(3, Regex.Count(html, "<h4>In days and in people: the difference engagement makes</h4>"));
        Assert.Contains("<caption>Restricted mean time without the event, first 365 days (95% CI)</caption>", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">Day 90</th>", html, StringComparison.Ordinal);
        Assert.Contains(" in 100</td>", html, StringComparison.Ordinal);
        Assert.Matches(@"Engaged people spent on average \d+\.\d (more|fewer) days of the first 365 without the event", html);
        Assert.Contains("<h4>Could something not measured explain it?</h4>", html, StringComparison.Ordinal);
        Assert.Matches(@"<p>E-value \d+\.\d\d; for the end of the confidence interval nearer no difference, \d+\.\d\d\.", html);
        // Deaths are rare and repetition is not, in this cohort: each E-value says which rule it used.
        var repeat = result.Outcomes.Single(o => o.Outcome.Key == "repeat").Checks.EValue!;
        var death = result.Outcomes.Single(o => o.Outcome.Key == "death_any").Checks.EValue!;
        Assert.True(death.Rare);
        Assert.Contains(repeat.Rare ? "The outcome is rare here" : "by the square-root rule", html, StringComparison.Ordinal);
        Assert.Contains("The outcome is rare here (fewer than 15 in 100 people had it)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Engagement_by_age_band_and_by_history_is_one_tested_model_and_the_report_warns_of_many_comparisons()
    {
        var result = EvaluateProgramme.Run(SyntheticCohort.Generate(3_000, seed: 7, mortalityLinked: false));
        var html = EvaluationReport.Render(result, new ReportContext("a cohort", Now, null, null));

        var byAge = result.Outcomes[0].Checks.Interactions.Single(i => i.Column == "age_band");
        Assert.True(byAge.Tested);
        Assert.Equal(4, byAge.DegreesOfFreedom);
        Assert.Contains("<caption>Engaged compared with not engaged, by age band, from one adjusted model</caption>", html, StringComparison.Ordinal);
        Assert.Contains("<caption>Engaged compared with not engaged, by prior psychiatric history, from one adjusted model</caption>", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">under 18</th>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>These are many comparisons</strong>", html, StringComparison.Ordinal);
        Assert.Matches(@"Does engagement's effect differ by age band\? Likelihood-ratio test \d+\.\d\d on 4 df", html);
    }

    [GeneratedRegex("<caption>Cox model, engagement adjusted for age band, sex and prior psychiatric history</caption>.*?</table>", RegexOptions.Singleline)]
    private static partial Regex AdjustedTable();

    [GeneratedRegex("<tr><th scope=\"row\">Engaged</th>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex EngagedRow();
}
