using System.Security.Cryptography;
using Aftercare.App.Evaluation;
using Aftercare.Domain.People;
using Aftercare.Statistics;

namespace Aftercare.Tests;

/// <summary>
/// Issue 15: every repeat presentation, not only the first (Andersen–Gill, robust by person), and the landmark
/// moved: the cohort carries them (from the record, in the file, in the synthetic cohort), the report says them
/// in words beside engagement and deaths, and an older cohort file still reads and says what it cannot show.
/// </summary>
public sealed class AllRepeatsAndLandmarkTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_cohort_from_the_record_carries_every_repeat_once_a_day_the_end_of_follow_up_and_the_first_contact_day()
    {
        var person = Guid.NewGuid();
        var index = Now.AddDays(-200);
        var presentations = new List<ExtractCohort.PresentationFacts>
        {
            new(Guid.NewGuid(), person, index),
            new(Guid.NewGuid(), person, index.AddDays(50)), // day 43 after the landmark
            new(Guid.NewGuid(), person, index.AddDays(119.6)), // day 113 ...
            new(Guid.NewGuid(), person, index.AddDays(120)), // ... and again the same day: one return for help
            new(Guid.NewGuid(), person, index.AddDays(150.5)), // day 144
        };
        var contacts = new[] { new ExtractCohort.ContactFacts(person, Guid.NewGuid(), index.AddDays(9.5)) }; // day 10: after the landmark

        var cohort = ExtractCohort.Build([new(person, new DateOnly(1990, 1, 1), Sex.Female, PriorPsychiatricHistory.No)], presentations, [], contacts, null, Now,
            RandomNumberGenerator.GetBytes(32), new EvaluationSettings(EngagementDays: 7, FollowUpDays: 365));

        var row = Assert.Single(cohort.Rows);
        Assert.Equal((false, 43, true), (row.Engaged, row.DaysToRepeat, row.Repeat));
        Assert.Equal([43, 113, 144], row.FollowUp!.RepeatDays);
        // Follow-up ends at the analysis, 193 days after the landmark; the first contact reached the person on day 10 after the index presentation.
        Assert.Equal((193, 7, (int?)10), (row.FollowUp.DaysFollowed, row.FollowUp.LandmarkDays, row.FollowUp.DaysToContact));
    }

    [Fact]
    public void All_repeats_recover_the_synthetic_rate_ratio_with_a_robust_interval_and_count_more_than_the_first_repeats()
    {
        var rows = SyntheticCohort.Generate(20_000, seed: 3);
        var result = EvaluateProgramme.Run(rows);

        var fit = result.Recurrent!.Adjusted!;
        var engaged = fit[Terms.Engaged]!;
        Assert.True(fit.Robust);
        Assert.Equal(20_000, fit.Clusters);
        Assert.Equal(rows.Sum(r => r.FollowUp!.RepeatDays.Count), fit.Events);
        Assert.True(fit.Events > result.Outcomes[0].EngagementAdjusted.Events);
        Assert.InRange(Math.Exp(SyntheticCohort.EngagedRepeat), engaged.Lower, engaged.Upper);
        Assert.NotNull(engaged.NaiveStdErr);
        Assert.Equal(["age_band=25-44", "sex=female", "prior_psych_history=yes"], result.Recurrent.References);
        Assert.Equal(rows.Count(r => r.Engaged), result.Recurrent.Rates.Single(r => r.Group == "Engaged").People);
    }

    [Fact]
    public void The_report_gives_the_rate_ratio_of_all_repeats_in_words_as_help_seeking_and_only_beside_engagement_and_deaths()
    {
        var result = EvaluateProgramme.Run(SyntheticCohort.Generate(3_000, seed: 15));
        var html = EvaluationReport.Render(result, new ReportContext("a cohort", Now, null, null));
        var section = html[html.IndexOf("<h3 id=\"repeat-all\">", StringComparison.Ordinal)..html.IndexOf("<h3>Stratified", html.IndexOf("<h3 id=\"repeat-all\">", StringComparison.Ordinal), StringComparison.Ordinal)];

        var engaged = result.Recurrent!.Adjusted![Terms.Engaged]!;
        Assert.Contains(FormattableString.Invariant($"<strong>Engaged people came back for help at {engaged.HazardRatio:F2} times the rate of people not engaged</strong> (95% CI {engaged.Lower:F2} to {engaged.Upper:F2})"), section, StringComparison.Ordinal);
        Assert.Contains("<strong>Repeat presentations are help-seeking, not failure.</strong>", section, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">Engaged with aftercare by the landmark</th>", section, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">Death by suicide (including undetermined intent) (hazard ratio)</th>", section, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">Death from any cause (hazard ratio)</th>", section, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"col\">Rate ratio</th>", section, StringComparison.Ordinal);
        Assert.Contains("robust, clustered by person", section, StringComparison.Ordinal);

        var unlinked = EvaluationReport.Render(EvaluateProgramme.Run(SyntheticCohort.Generate(3_000, seed: 15, mortalityLinked: false)), new ReportContext("a cohort", Now, null, null));
        Assert.Contains("not known: mortality data are not linked, so repetition cannot be read on its own here", unlinked, StringComparison.Ordinal);
    }

    [Fact]
    public void On_the_managers_page_small_numbers_of_repeats_are_hidden_and_so_is_the_rate_they_would_reveal()
    {
        var rows = SyntheticCohort.Generate(400, seed: 4);
        // Three engaged people come back for help: fewer than the threshold.
        var few = rows.Where(r => r.Engaged).Take(3).Select(r => r.Pid).ToHashSet();
        rows = [.. rows.Select(r => !r.Engaged ? r : few.Contains(r.Pid)
            ? r with { Repeat = true, DaysToRepeat = 20, FollowUp = r.FollowUp! with { DaysFollowed = Math.Max(20, r.FollowUp.DaysFollowed), RepeatDays = [20] } }
            : r with { Repeat = false, DaysToRepeat = r.FollowUp!.DaysFollowed, FollowUp = r.FollowUp with { RepeatDays = FollowUpDetail.NoRepeats } })];
        var html = EvaluationReport.Render(EvaluateProgramme.Run(rows), new ReportContext("a cohort", Now, null, null, SuppressBelow: 5));

        var rates = html[html.IndexOf("<caption>Repeat presentations in follow-up, by engagement", StringComparison.Ordinal)..];
        var engagedRow = rates[rates.IndexOf("<th scope=\"row\">Engaged</th>", StringComparison.Ordinal)..rates.IndexOf("</tr>", rates.IndexOf("<th scope=\"row\">Engaged</th>", StringComparison.Ordinal), StringComparison.Ordinal)];
        Assert.Contains("<td>fewer than 5</td>", engagedRow, StringComparison.Ordinal);
        Assert.Contains("not shown: it would reveal the numbers hidden beside it", engagedRow, StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_landmark_leaves_out_who_came_back_or_stopped_before_it_and_counts_engagement_up_to_it()
    {
        CohortRow Row(string pid, bool engaged, int? contact, int daysToRepeat, bool repeated, int followed, int[] repeats) =>
            new(pid, "25-44", "female", "no", engaged, "adult", daysToRepeat, repeated, followed, false, false, new FollowUpDetail(followed, repeats, 7, contact));
        var rows = new List<CohortRow>();
        for (var i = 0; i < 60; i++)
        {
            // Reached by day 7, by day 20 (engaged only from the 28-day landmark on), or never; some come back on day 5 after the landmark (day 12).
            var contact = (i % 3) switch { 0 => 3, 1 => 20, _ => (int?)null };
            var back = i % 4 == 0;
            rows.Add(Row($"p{i:D2}", contact == 3, contact, back ? 5 : 100 + i, back, 100 + i, back ? [5] : []));
        }

        var result = EvaluateProgramme.Run(rows);
        var fits = result.Landmarks!.Fits.Where(f => f.Outcome == "repeat").ToList();
        Assert.Equal([7, 14, 28, 56], fits.Select(f => f.LandmarkDays));
        Assert.Equal(60, fits[0].Count);
        // From day 14 on, the 15 who came back on day 12 are no longer in follow-up at the landmark.
        Assert.Equal(45, fits[1].Count);
        Assert.Equal(rows.Count(r => r.Engaged), fits[0].Engaged);
        Assert.Equal(rows.Count(r => r.FollowUp!.DaysToContact <= 28 && !r.Repeat), fits[2].Engaged);
        Assert.Equal(NotEstimableTerm.NoEvents, fits[1].Adjusted.WhyNotEstimable(Terms.Engaged));

        var html = EvaluationReport.Render(result, new ReportContext("a cohort", Now, null, null));
        Assert.Contains("<h2 id=\"landmark\">Sensitivity: the landmark moved</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">7 days (the main analysis)</th>", html, StringComparison.Ordinal);
        Assert.Contains("not estimable: there were no events in these rows", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cohort_file_from_before_every_repeat_was_exported_still_reads_and_the_report_says_what_it_cannot_show()
    {
        var rows = SyntheticCohort.Generate(500, seed: 5).Select(r => r with { FollowUp = null }).ToList();
        using var buffer = new StringWriter();
        await CohortCsv.WriteAsync(buffer, rows, TestContext.Current.CancellationToken);
        Assert.StartsWith(string.Join(',', CohortCsv.Columns) + Environment.NewLine, buffer.ToString(), StringComparison.Ordinal);

        var read = await CohortCsv.ReadAsync(new StringReader(buffer.ToString()), ct: TestContext.Current.CancellationToken);
        Assert.True(read.IsSuccess, string.Join("\n", read.Errors));
        var html = EvaluationReport.Render(EvaluateProgramme.Run(read.Value), new ReportContext("an old cohort file", Now, null, null));
        Assert.Contains("Not analysed: " + RecurrentResult.NoDetail + ".", html, StringComparison.Ordinal);
        Assert.Contains("Not analysed: " + LandmarkSensitivity.NoDetail + ".", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cohort_file_with_some_of_the_new_columns_or_repeats_that_disagree_is_refused_with_the_line()
    {
        var partial = await CohortCsv.ReadAsync(new StringReader(string.Join(',', CohortCsv.Columns) + ",days_followed,repeat_days\nx,25-44,female,no,1,adult,10,1,,,,10,10"), ct: TestContext.Current.CancellationToken);
        Assert.Contains("lacks landmark_days, days_to_contact: give all four", partial.Errors[0].Message, StringComparison.Ordinal);

        var csv = string.Join('\n',
            string.Join(',', [.. CohortCsv.Columns, .. CohortCsv.FollowUpColumns]),
            "a1,25-44,female,no,1,adult,30,1,,,,90,30;12,7,2",
            "a2,25-44,female,no,1,adult,30,1,,,,90,31;40,7,2",
            "a3,25-44,female,no,0,adult,90,0,,,,80,,7,",
            "a4,25-44,female,no,1,adult,30,1,,,,90,30;95,7,9",
            "a5,25-44,female,no,0,adult,30,1,,,,90,30,14,");
        var read = await CohortCsv.ReadAsync(new StringReader(csv), ct: TestContext.Current.CancellationToken);
        var messages = read.Errors.Select(e => e.Message).ToList();
        Assert.Contains(messages, m => m.StartsWith("Line 2: repeat_days is \"30;12\"; the days must increase", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 3: repeated is 1, so repeat_days starts with days_to_repeat (30).", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 4: repeated is 0, so days_followed (80) is days_to_repeat (90)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 5: engaged is 1, but days_to_contact (9) is not within landmark_days (7).", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 5: repeat_days has a day after days_followed (90).", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Line 6: landmark_days is 14, but earlier rows have 7", StringComparison.Ordinal));
    }
}
