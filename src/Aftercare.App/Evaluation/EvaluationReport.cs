using System.Globalization;
using System.Net;
using System.Text;
using Aftercare.Domain.Measures;
using Aftercare.Statistics;

namespace Aftercare.App.Evaluation;

/// <summary>Where the cohort came from, for the report's opening lines.</summary>
/// <param name="Flow">From the record: who was left out before the landmark; null for a cohort read from CSV.</param>
/// <param name="SuppressBelow">
/// When set (the page service managers open), every count goes through the dashboard's one
/// small-number rule (<see cref="Suppression"/>), and no curve or estimate is drawn for a group
/// whose counts are hidden. Null for the analyst's file written by `aftercare evaluate`.
/// </param>
/// <param name="TimeSeries">The interrupted time series of the monthly counts (issue 15); null when there is no series.</param>
public sealed record ReportContext(string Source, DateTimeOffset GeneratedAt, EvaluationSettings? Settings, ExtractedCohort? Flow, int? SuppressBelow = null, TimeSeriesResult? TimeSeries = null);

/// <summary>
/// The evaluation as one self-contained HTML file: methods, tables, Kaplan–Meier curves drawn as
/// inline SVG with their data tables beside them, and the caveats. No script, no style element and
/// no style attribute, so the page also passes the app's Content-Security-Policy if served.
/// </summary>
public static partial class EvaluationReport
{
    private static readonly string[] Palette = ["#1d70b8", "#d4351c", "#00703c", "#6f72af", "#b58840", "#912b88", "#28a197", "#505a5f"];
    private static readonly int[] TableDays = [30, 90, 180, 365];

    /// <summary>The whole report as one self-contained HTML file.</summary>
    /// <param name="result">The cohort's evaluation; null when only a monthly series is analysed (the report is then its time series).</param>
    public static string Render(EvaluationResult? result, ReportContext context) =>
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Aftercare programme evaluation</title>\n</head>\n<body>\n<main>\n<h1>Aftercare programme evaluation</h1>\n"
        + Body(result, context) + "</main>\n</body>\n</html>\n";

    /// <summary>The report's content under its heading, for the app's page inside the site's layout.</summary>
    public static string Body(EvaluationResult? result, ReportContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var html = new StringBuilder();
        var t = context.SuppressBelow;
        if (result is null)
        {
            html.Append(Invariant($"<p>Generated {context.GeneratedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC from {E(context.Source)}: the service's monthly counts only (no cohort of people).</p>\n"));
            if (context.TimeSeries is { } only)
            {
                TimeSeriesSection(html, only, null, t);
            }

            return html.ToString();
        }

        var (engaged, people) = Pair(result.Engaged, result.Count, t);
        html.Append(Invariant($"<p>Generated {context.GeneratedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC from {E(context.Source)}. {people} people; {engaged} engaged with aftercare by the landmark.</p>\n"));
        if (t is { } threshold)
        {
            html.Append(Invariant($"<p>Numbers from 1 to {threshold - 1} are not shown (\"fewer than {threshold}\"), nor any number they could be worked out from (\"{threshold} or more*\": not a small number, hidden so that a small number cannot be worked out by subtraction), as on the service measures. No curve or estimate is drawn for a group whose numbers are hidden.</p>\n"));
        }

        html.Append("<h2>What this shows, and what it cannot</h2>\n<ul>\n");
        html.Append("<li><strong>These are observational data.</strong> Who engages with aftercare is not random: people who are reached may differ from those who are not in ways the record does not hold. Differences here are associations, not proof that aftercare caused them. Adjustment for age band, sex and prior psychiatric history removes only the differences those measures capture.</li>\n");
        html.Append("<li><strong>Recorded repetition depends on contact.</strong> A programme that keeps people in contact can raise recorded repeat presentations: coming back for help is engagement, not failure. Repetition is therefore shown beside engagement and mortality, never alone.</li>\n");
        html.Append("<li><strong>Hazard ratios compare groups of people.</strong> Nothing in this report is a prediction for any one person, and nothing here may be used to decide who receives care (no scores, no tiers).</li>\n");
        html.Append(result.MortalityLinked
            ? "<li>Mortality data are linked: deaths by suicide (including undetermined intent) and from any cause are shown beside repetition.</li>\n"
            : "<li><strong>Mortality data are not linked</strong> in this cohort, so deaths are not shown. Without them, repetition cannot be read on its own: fewer repeat presentations could mean fewer people coming back for help. Link mortality data before drawing conclusions.</li>\n");
        html.Append("</ul>\n");

        if (context.TimeSeries is { } series)
        {
            TimeSeriesSection(html, series, result, t);
        }

        Methods(html, result, context);
        foreach (var outcome in result.Outcomes)
        {
            Outcome(html, outcome, result, t);
        }

        LandmarkSection(html, result, t);
        return html.ToString();
    }

    private static void Methods(StringBuilder html, EvaluationResult result, ReportContext context)
    {
        html.Append("<h2>Methods</h2>\n");
        var settings = context.Settings;
        html.Append("<p>Each person's first presentation in the record is their index presentation. ");
        html.Append(settings is null
            ? "Follow-up times in the cohort file are days from the landmark (see docs/evaluation.md). "
            : Invariant($"Follow-up starts at a landmark {settings.EngagementDays} days after it, so that whether the person engaged is known for everyone before follow-up starts (no immortal time): <em>engaged</em> means an aftercare contact reached the person within those {settings.EngagementDays} days. Follow-up ends at the next presentation, death, {settings.FollowUpDays} days after the landmark, or the date of the analysis, whichever is first. "));
        html.Append("Time to repeat presentation is censored at death.</p>\n");
        if (context.Flow is { } flow)
        {
            // The four groups add up to everyone with a presentation: one breakdown, suppressed as one.
            var (parts, all) = Parts([flow.ReturnedBeforeLandmark, flow.DiedBeforeLandmark, flow.FollowUpNotBegun, flow.Rows.Count], context.SuppressBelow);
            var everyone = flow.ReturnedBeforeLandmark + flow.DiedBeforeLandmark + flow.FollowUpNotBegun + flow.Rows.Count == flow.People ? all : Count(flow.People, context.SuppressBelow);
            html.Append("<table>\n<caption>Who is in the cohort</caption>\n<tbody>\n");
            html.Append(Invariant($"<tr><th scope=\"row\">People with a presentation</th><td>{everyone}</td></tr>\n"));
            html.Append(Invariant($"<tr><th scope=\"row\">Came back for help before the landmark (not in the comparison)</th><td>{parts[0]}</td></tr>\n"));
            html.Append(Invariant($"<tr><th scope=\"row\">Died before the landmark</th><td>{parts[1]}</td></tr>\n"));
            html.Append(Invariant($"<tr><th scope=\"row\">Landmark not yet reached</th><td>{parts[2]}</td></tr>\n"));
            html.Append(Invariant($"<tr><th scope=\"row\">In the cohort</th><td>{parts[3]}</td></tr>\n"));
            html.Append("</tbody>\n</table>\n");
        }

        html.Append("<p>Survival curves: Kaplan–Meier, with Greenwood's variance and 95% confidence bands on the log scale (as R's <code>survfit</code> default). ");
        html.Append("Curves are compared with the log-rank test. Hazard ratios come from Cox proportional hazards models with Efron's handling of tied times, fitted by Newton–Raphson, with Wald 95% confidence intervals and likelihood-ratio tests; ");
        html.Append("adjusted models include age band, sex and prior psychiatric history as categories (the most common level of each is the reference). ");
        html.Append("A term that cannot be estimated from these people (nobody with it was in follow-up when an event happened, nobody or everybody in a group had the event, or the model did not converge) is shown as not estimable with the reason, never as a number. Under every curve is the number of people still in follow-up; beyond the longest follow-up no proportion is given. ");
        html.Append("Stratified results fit the adjusted model within each age band and each level of prior psychiatric history. The same analysis runs on the cohort file with <code>aftercare evaluate --cohort</code>, and can be checked in R with <code>survival::coxph(..., ties = \"efron\")</code>.</p>\n");
        html.Append(Invariant($"<p>Pathways in the cohort: {E(string.Join(", ", result.Pathways))} (\"none\": not enrolled on a pathway after the index presentation).</p>\n"));
    }

    private static void Outcome(StringBuilder html, OutcomeResult r, EvaluationResult result, int? t)
    {
        var title = r.Outcome.Title;
        html.Append(Invariant($"<section>\n<h2>{E(title)}</h2>\n"));
        html.Append("<h3>Engaged with aftercare and not engaged</h3>\n");
        Curves(html, r.ByEngagement, $"{title}: proportion without the event, engaged and not engaged", $"{r.Outcome.Key}-engagement", t);
        LogRankTable(html, r.EngagementLogRank, r.ByEngagement.Select(c => c.Group).ToList(), ["Not engaged", "Engaged"], t);
        CoxTable(html, "Cox model, engagement only (crude)", r.EngagementCrude, [], t);
        CoxTable(html, "Cox model, engagement adjusted for age band, sex and prior psychiatric history", r.EngagementAdjusted, r.EngagementReferences, t, EngagedNote(r.Checks));
        ProportionalHazardsSection(html, r, t);
        AbsoluteEffectsSection(html, r, t);
        EValueSection(html, r);
        if (r.Outcome.Key == EvaluateProgramme.Repeat.Key && result.Recurrent is { } recurrent)
        {
            RecurrentSection(html, recurrent, result, t);
        }

        html.Append("<h3>Stratified: engaged compared with not engaged, adjusted, within each group</h3>\n");
        html.Append("<table>\n<thead><tr><th scope=\"col\">Stratum</th><th scope=\"col\">People</th><th scope=\"col\">Events</th><th scope=\"col\">Hazard ratio (95% CI)</th><th scope=\"col\">p</th></tr></thead>\n<tbody>\n");
        // Each stratifier's levels divide the same people: their counts are suppressed together.
        var strata = r.Strata.GroupBy(s => s.Stratifier).SelectMany(g =>
        {
            var list = g.ToList();
            var (cells, _) = Pairs([.. list.Select(s => s.Events)], [.. list.Select(s => s.Count)], t);
            return list.Zip(cells);
        });
        foreach (var (s, cell) in strata)
        {
            var level = s.Stratifier == "Age band" ? CohortCategories.Describe(s.Level) : s.Level;
            html.Append(Invariant($"<tr><th scope=\"row\">{E(s.Stratifier)}: {E(level)}</th><td>{cell.Denominator}</td><td>{cell.Numerator}</td>"));
            html.Append(s.Engaged is { } c
                ? Invariant($"<td>{c.HazardRatio:F2} ({c.Lower:F2} to {c.Upper:F2})</td><td>{P(c.P)}</td></tr>\n")
                : Invariant($"<td>not estimable: {E(s.NotEstimable ?? NotEstimableTerm.NotInModel)}</td><td></td></tr>\n"));
        }

        html.Append("</tbody>\n</table>\n");
        InteractionSection(html, r);

        html.Append("<h3>By pathway</h3>\n");
        Curves(html, r.ByPathway, $"{title}: proportion without the event, by pathway", $"{r.Outcome.Key}-pathway", t);
        LogRankTable(html, r.PathwayLogRank, r.ByPathway.Select(c => c.Group).ToList(), null, t);
        CoxTable(html, "Cox model, pathway adjusted for age band, sex and prior psychiatric history", r.PathwayAdjusted, r.PathwayReferences, t);
        CompetingRisksSection(html, r, t);
        html.Append("</section>\n");
    }

    private static void Curves(StringBuilder html, IReadOnlyList<GroupCurve> all, string label, string id, int? t)
    {
        // A curve steps down once per event: a group whose people or events are hidden is not drawn.
        var (counts, _) = Pairs([.. all.Select(c => c.Curve.Events)], [.. all.Select(c => c.Curve.Count)], t);
        var curves = all.Where((_, i) => !counts[i].Numerator.Suppressed && !counts[i].Denominator.Suppressed).ToList();
        var notDrawn = all.Where((_, i) => counts[i].Numerator.Suppressed || counts[i].Denominator.Suppressed).Select(c => c.Group).ToList();
        const double width = 640, height = 320, left = 56, right = 16, top = 16, bottom = 44;
        var maxTime = Math.Max(1, curves.SelectMany(c => c.Curve.Steps).Select(s => s.Time).DefaultIfEmpty(1).Max());
        var lowest = curves.SelectMany(c => c.Curve.Steps).Select(s => double.IsNaN(s.Lower) ? s.Survival : s.Lower).DefaultIfEmpty(1).Min();
        var yMin = Math.Clamp(Math.Floor(lowest * 10) / 10, 0, 0.9);
        double X(double t) => left + (t / maxTime * (width - left - right));
        double Y(double s) => top + ((1 - ((s - yMin) / (1 - yMin))) * (height - top - bottom));

        html.Append(Invariant($"<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"fig-{id}\">\n"));
        html.Append(Invariant($"<title id=\"fig-{id}\">{E(label)}</title>\n"));
        for (var tick = 0; tick <= 5; tick++)
        {
            var s = yMin + ((1 - yMin) * tick / 5);
            html.Append(Invariant($"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(s):F1}\" y2=\"{Y(s):F1}\" stroke=\"#dddddd\"/><text x=\"{left - 6}\" y=\"{Y(s) + 4:F1}\" text-anchor=\"end\" font-size=\"11\" font-family=\"sans-serif\">{s:F2}</text>\n"));
            var day = maxTime * tick / 5;
            html.Append(Invariant($"<text x=\"{X(day):F1}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\" font-size=\"11\" font-family=\"sans-serif\">{day:F0}</text>\n"));
        }

        html.Append(Invariant($"<text x=\"{(left + width - right) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\" font-size=\"12\" font-family=\"sans-serif\">days from the landmark</text>\n"));
        html.Append(Invariant($"<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{height - bottom}\" stroke=\"#0b0c0c\"/><line x1=\"{left}\" x2=\"{width - right}\" y1=\"{height - bottom}\" y2=\"{height - bottom}\" stroke=\"#0b0c0c\"/>\n"));
        for (var g = 0; g < curves.Count; g++)
        {
            var colour = Palette[g % Palette.Length];
            var steps = curves[g].Curve.Steps.Where(s => !double.IsNaN(s.Lower)).ToList();
            if (steps.Count > 0)
            {
                // The band: upper limits left to right, then lower limits back, each as steps.
                var band = new StringBuilder(Invariant($"M{X(0):F1},{Y(1):F1}"));
                foreach (var s in steps)
                {
                    band.Append(Invariant($" H{X(s.Time):F1} V{Y(s.Upper):F1}"));
                }

                band.Append(Invariant($" H{X(maxTime):F1} V{Y(steps[^1].Lower):F1}"));
                for (var i = steps.Count - 1; i >= 0; i--)
                {
                    band.Append(Invariant($" H{X(steps[i].Time):F1} V{Y(i == 0 ? 1 : steps[i - 1].Lower):F1}"));
                }

                band.Append(" Z");
                html.Append(Invariant($"<path d=\"{band}\" fill=\"{colour}\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"));
            }

            var line = new StringBuilder(Invariant($"M{X(0):F1},{Y(1):F1}"));
            foreach (var s in curves[g].Curve.Steps)
            {
                line.Append(Invariant($" H{X(s.Time):F1} V{Y(Math.Max(s.Survival, yMin)):F1}"));
            }

            line.Append(Invariant($" H{X(maxTime):F1}"));
            html.Append(Invariant($"<path d=\"{line}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>\n"));
            html.Append(Invariant($"<rect x=\"{width - right - 190}\" y=\"{top + 6 + (g * 16)}\" width=\"12\" height=\"4\" fill=\"{colour}\"/><text x=\"{width - right - 172}\" y=\"{top + 11 + (g * 16)}\" font-size=\"11\" font-family=\"sans-serif\">{E(curves[g].Group)}</text>\n"));
        }

        html.Append("</svg>\n");
        var missing = notDrawn.Count == 0 ? "" : Invariant($" Not drawn, because its numbers are not shown: {E(string.Join(", ", notDrawn))}.");
        html.Append(Invariant($"<figcaption>{E(label)}. Shaded: 95% confidence bands. The same numbers are in the tables below.{missing}</figcaption>\n</figure>\n"));
        AtRiskTable(html, curves, maxTime, t);

        html.Append("<table>\n<caption>Kaplan–Meier estimates: proportion without the event (95% CI)</caption>\n<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">People</th><th scope=\"col\">Events</th>");
        foreach (var day in TableDays)
        {
            html.Append(Invariant($"<th scope=\"col\">Day {day}</th>"));
        }

        html.Append("<th scope=\"col\">Median (days)</th></tr></thead>\n<tbody>\n");
        foreach (var (c, cell) in all.Zip(counts))
        {
            html.Append(Invariant($"<tr><th scope=\"row\">{E(c.Group)}</th><td>{cell.Denominator}</td><td>{cell.Numerator}</td>"));
            if (cell.Numerator.Suppressed || cell.Denominator.Suppressed)
            {
                html.Append(Invariant($"<td colspan=\"{TableDays.Length + 1}\">not shown: the estimates would reveal the numbers hidden beside them</td></tr>\n"));
                continue;
            }

            foreach (var day in TableDays)
            {
                // Beyond the longest follow-up S(t) is unknown: say so rather than carry the last value on.
                var step = c.Curve.At(day);
                html.Append(step is null
                    ? "<td>nobody followed this long</td>"
                    : Invariant($"<td>{step.Survival:F3} ({(double.IsNaN(step.Lower) ? "–" : step.Lower.ToString("F3", CultureInfo.InvariantCulture))} to {(double.IsNaN(step.Upper) ? "–" : step.Upper.ToString("F3", CultureInfo.InvariantCulture))})<br><small>{Count(c.Curve.AtRisk(day), t)} at risk</small></td>"));
            }

            html.Append(Invariant($"<td>{(c.Curve.Median is { } m ? m.ToString("F0", CultureInfo.InvariantCulture) : "not reached")}</td></tr>\n"));
        }

        html.Append("</tbody>\n</table>\n");
    }

    /// <summary>The numbers at risk under a curve, at the axis's ticks, as survival plots print them.</summary>
    private static void AtRiskTable(StringBuilder html, List<GroupCurve> curves, double maxTime, int? t)
    {
        var days = Enumerable.Range(0, 6).Select(tick => Math.Round(maxTime * tick / 5)).Distinct().ToList();
        html.Append("<table class=\"at-risk\">\n<caption>Number at risk (still in follow-up) at each day</caption>\n<thead><tr><th scope=\"col\">Group</th>");
        foreach (var day in days)
        {
            html.Append(Invariant($"<th scope=\"col\">Day {day:F0}</th>"));
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var c in curves)
        {
            html.Append(Invariant($"<tr><th scope=\"row\">{E(c.Group)}</th>"));
            foreach (var day in days)
            {
                html.Append(Invariant($"<td>{Count(c.Curve.AtRisk(day), t)}</td>"));
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static void LogRankTable(StringBuilder html, LogRankTest test, List<string> present, string[]? order, int? t)
    {
        var (cells, _) = Pairs([.. test.Observed.Select(o => (int)Math.Round(o))], [.. test.Count], t);
        html.Append("<table>\n<caption>Log-rank test</caption>\n<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">People</th><th scope=\"col\">Observed</th><th scope=\"col\">Expected</th></tr></thead>\n<tbody>\n");
        var names = order ?? [.. present];
        var g = 0;
        for (var i = 0; i < test.Count.Count; i++)
        {
            if (test.Count[i] == 0)
            {
                continue;
            }

            var name = order is null ? names[g] : names[i];
            g++;
            html.Append(Invariant($"<tr><th scope=\"row\">{E(name)}</th><td>{cells[i].Denominator}</td><td>{cells[i].Numerator}</td><td>{test.Expected[i]:F1}</td></tr>\n"));
        }

        html.Append(Invariant($"</tbody>\n</table>\n<p>Chi-square {test.ChiSquare:F2} on {test.DegreesOfFreedom} degrees of freedom, p {P(test.P)}.</p>\n"));
    }

    private static void CoxTable(StringBuilder html, string caption, CoxFit fit, IReadOnlyList<string> references, int? t, string? engagedNote = null)
    {
        var ratio = fit.Robust ? "Rate ratio" : "Hazard ratio";
        var log = fit.Robust ? "log RR (robust SE)" : "log HR (SE)";
        html.Append(Invariant($"<table>\n<caption>{E(caption)}</caption>\n<thead><tr><th scope=\"col\">Compared with the reference</th><th scope=\"col\">{ratio}</th><th scope=\"col\">95% CI</th><th scope=\"col\">{log}</th><th scope=\"col\">p (Wald)</th></tr></thead>\n<tbody>\n"));
        foreach (var c in fit.Coefficients)
        {
            if (fit.WhyNotEstimable(c.Name) is { } why)
            {
                html.Append(Invariant($"<tr><th scope=\"row\">{E(Terms.Label(c.Name))}</th><td colspan=\"4\">not estimable: {E(why)}</td></tr>\n"));
                continue;
            }

            var note = c.Name == Terms.Engaged && engagedNote is not null ? Invariant($"<br><small>{engagedNote}</small>") : "";
            html.Append(Invariant($"<tr><th scope=\"row\">{E(Terms.Label(c.Name))}</th><td>{c.HazardRatio:F2}{note}</td><td>{c.Lower:F2} to {c.Upper:F2}</td><td>{c.Beta:F3} ({c.StdErr:F3})</td><td>{P(c.P)}</td></tr>\n"));
        }

        foreach (var term in fit.NotEstimable)
        {
            html.Append(Invariant($"<tr><th scope=\"row\">{E(Terms.Label(term.Name))}</th><td colspan=\"4\">not estimable: {E(term.Reason)}</td></tr>\n"));
        }

        html.Append("</tbody>\n</table>\n<p>");
        if (references.Count > 0)
        {
            html.Append(Invariant($"References: {E(string.Join("; ", references.Select(Terms.Label)))}. "));
        }

        var (events, people) = Pair(fit.Events, fit.Clusters ?? fit.Count, t);
        html.Append(fit.Robust
            ? Invariant($"{people} people, {events} repeat presentations. Standard errors are robust, clustered by person (one person's repeat presentations are not independent of each other). Likelihood-ratio test")
            : Invariant($"{people} people, {events} events. Likelihood-ratio test"));
        html.Append(Invariant($" {fit.LikelihoodRatio:F2} on {fit.DegreesOfFreedom} df, p {P(fit.LikelihoodRatioP)}; Wald test {fit.WaldChiSquare:F2}, p {P(fit.WaldP)}."));
        if (!fit.Converged)
        {
            html.Append(" <strong>The model did not converge: read these numbers with care.</strong>");
        }

        html.Append(fit.Robust
            ? " A rate ratio below 1 means people in that group came back for help less often, per year in follow-up, than people in the reference group.</p>\n"
            : " A hazard ratio below 1 means the event happened at a lower rate in that group than in the reference group, on average over follow-up.</p>\n");
    }

    /// <summary>
    /// Every repeat presentation, not only the first: crude rates by engagement, the adjusted rate ratio with its
    /// robust interval in words, and beside it engagement and the deaths, so repetition is never read alone.
    /// </summary>
    private static void RecurrentSection(StringBuilder html, RecurrentResult recurrent, EvaluationResult result, int? t)
    {
        html.Append("<h3 id=\"repeat-all\">All repeat presentations, not only the first</h3>\n");
        if (recurrent.Adjusted is not { } fit)
        {
            html.Append(Invariant($"<p>Not analysed: {E(recurrent.NotAnalysed ?? "")}.</p>\n"));
            return;
        }

        html.Append("<p>The models above look at each person's first repeat presentation. Many people come back for help more than once; here every repeat presentation in follow-up counts, each person's follow-up split at each one (the Andersen–Gill model). Someone who came back several times counts several times, so the 95% intervals are worked out person by person (robust intervals), not as if each return were a different person.</p>\n");
        html.Append("<table>\n<caption>Repeat presentations in follow-up, by engagement (not adjusted)</caption>\n<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">People</th><th scope=\"col\">Repeat presentations</th><th scope=\"col\">Years of follow-up</th><th scope=\"col\">Per 100 person-years</th></tr></thead>\n<tbody>\n");
        foreach (var rate in recurrent.Rates)
        {
            var (people, repeats) = (Count(rate.People, t), Count(rate.Repeats, t));
            html.Append(Invariant($"<tr><th scope=\"row\">{E(rate.Group)}</th><td>{people}</td><td>{repeats}</td><td>{rate.DaysFollowed / 365.25:N0}</td>"));
            html.Append(people.Suppressed || repeats.Suppressed ? "<td>not shown: it would reveal the numbers hidden beside it</td></tr>\n" : Invariant($"<td>{rate.PerHundredPersonYears:F1}</td></tr>\n"));
        }

        html.Append("</tbody>\n</table>\n");
        html.Append(fit.WhyNotEstimable(Terms.Engaged) is { } why
            ? Invariant($"<p>The rate ratio of repeat presentations for engaged people is not estimable: {E(why)}.</p>\n")
            : Invariant($"<p><strong>Engaged people came back for help at {fit[Terms.Engaged]!.HazardRatio:F2} times the rate of people not engaged</strong> (95% CI {fit[Terms.Engaged]!.Lower:F2} to {fit[Terms.Engaged]!.Upper:F2}), counting every repeat presentation and adjusting for age band, sex and prior psychiatric history{(fit[Terms.Engaged]!.Lower <= 1 && fit[Terms.Engaged]!.Upper >= 1 ? "; the interval includes no difference" : "")}.</p>\n"));
        html.Append("<p><strong>Repeat presentations are help-seeking, not failure.</strong> A programme that keeps people in contact can raise recorded repeat presentations while deaths fall: coming back is how people get help. So this rate is shown only beside engagement and deaths:</p>\n");
        var (engaged, everyone) = Pair(result.Engaged, result.Count, t);
        html.Append("<table>\n<caption>Beside each other: engaged compared with not engaged, adjusted for age band, sex and prior psychiatric history</caption>\n<thead><tr><th scope=\"col\">Measure</th><th scope=\"col\">Engaged compared with not engaged (95% CI)</th></tr></thead>\n<tbody>\n");
        html.Append(Invariant($"<tr><th scope=\"row\">Engaged with aftercare by the landmark</th><td>{engaged} of {everyone} people</td></tr>\n"));
        html.Append(Invariant($"<tr><th scope=\"row\">All repeat presentations (rate ratio)</th><td>{Ratio(fit)}</td></tr>\n"));
        foreach (var o in result.Outcomes)
        {
            html.Append(Invariant($"<tr><th scope=\"row\">{E(o.Outcome.Title)}{(o.Outcome.Key == EvaluateProgramme.Repeat.Key ? ", the first" : "")} (hazard ratio)</th><td>{Ratio(o.EngagementAdjusted)}</td></tr>\n"));
        }

        if (!result.MortalityLinked)
        {
            html.Append("<tr><th scope=\"row\">Deaths</th><td>not known: mortality data are not linked, so repetition cannot be read on its own here</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        CoxTable(html, "Andersen–Gill model: all repeat presentations, engagement adjusted for age band, sex and prior psychiatric history, robust standard errors clustered by person", fit, recurrent.References, t);
    }

    /// <summary>Engagement's ratio and interval from an adjusted model, or why it is not estimable: the one rule of every table.</summary>
    private static string Ratio(CoxFit fit) =>
        fit.WhyNotEstimable(Terms.Engaged) is { } why ? "not estimable: " + E(why)
        : Invariant($"{fit[Terms.Engaged]!.HazardRatio:F2} ({fit[Terms.Engaged]!.Lower:F2} to {fit[Terms.Engaged]!.Upper:F2})");

    /// <summary>The adjusted engagement hazard ratios at each landmark, with what moving the landmark does, in words.</summary>
    private static void LandmarkSection(StringBuilder html, EvaluationResult result, int? t)
    {
        if (result.Landmarks is not { } landmarks)
        {
            return;
        }

        html.Append("<section>\n<h2 id=\"landmark\">Sensitivity: the landmark moved</h2>\n");
        if (landmarks.NotAnalysed is { } why)
        {
            html.Append(Invariant($"<p>Not analysed: {E(why)}.</p>\n</section>\n"));
            return;
        }

        var days = landmarks.Fits.Select(f => f.LandmarkDays).Distinct().ToList();
        html.Append(Invariant($"<p>Whether a person engaged is counted up to the landmark ({days[0]} days after their first presentation), and follow-up starts there. The choice of landmark is ours, so here it is moved later: {E(string.Join(", ", days.Skip(1).Select(d => d.ToString(CultureInfo.InvariantCulture))))} days. A later landmark gives aftercare longer to reach people, but leaves out those who came back for help or died before it, and its follow-up is shorter (it still ends where it does above). If the hazard ratios stay about the same, the result does not hang on the landmark; if they move, read the main result with that in mind.</p>\n"));
        var outcomes = result.Outcomes.Select(o => o.Outcome).ToList();
        html.Append("<table>\n<caption>Engaged compared with not engaged at each landmark: adjusted hazard ratio (95% CI)</caption>\n<thead><tr><th scope=\"col\">Landmark</th><th scope=\"col\">People</th><th scope=\"col\">Engaged</th>");
        foreach (var o in outcomes)
        {
            html.Append(Invariant($"<th scope=\"col\">{E(o.Title)}</th>"));
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var day in days)
        {
            var fits = landmarks.Fits.Where(f => f.LandmarkDays == day).ToList();
            var (engaged, people) = Pair(fits[0].Engaged, fits[0].Count, t);
            html.Append(Invariant($"<tr><th scope=\"row\">{day} days{(day == days[0] ? " (the main analysis)" : "")}</th><td>{people}</td><td>{engaged}</td>"));
            foreach (var o in outcomes)
            {
                html.Append(fits.FirstOrDefault(f => f.Outcome == o.Key) is { } f ? Invariant($"<td>{Ratio(f.Adjusted)}</td>") : "<td>–</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        var repeat = landmarks.Fits.Where(f => f.Outcome == EvaluateProgramme.Repeat.Key && f.Adjusted.WhyNotEstimable(Terms.Engaged) is null).Select(f => f.Adjusted[Terms.Engaged]!.HazardRatio).ToList();
        if (repeat.Count > 1)
        {
            html.Append(Invariant($"<p>For a repeat presentation, the hazard ratio for engaged people ranges from {repeat.Min():F2} to {repeat.Max():F2} across these landmarks. Each row is its own analysis of the people still in follow-up at that landmark; they are not independent of each other.</p>\n"));
        }

        html.Append("</section>\n");
    }

    /// <summary>Beside the adjusted engagement hazard ratio, when the proportional hazards test for engagement fails.</summary>
    private static string? EngagedNote(EngagementChecks checks) =>
        checks.ProportionalHazards?[Terms.Engaged] is { P: < 0.05 } ? "The difference changes over follow-up (proportional hazards test p &lt; 0.05, below): this single hazard ratio averages it." : null;

    /// <summary>A model term in words: "age_band" → "Age band".</summary>
    private static string TermLabel(string term) => term switch
    {
        Terms.Engaged => "Engaged with aftercare",
        "age_band" => "Age band",
        "sex" => "Sex",
        "prior_psych_history" => "Prior psychiatric history",
        "GLOBAL" => "All terms together (global test)",
        _ => term,
    };

    /// <summary>
    /// Does the adjusted hazard ratio hold over follow-up? cox.zph's tests, in words, and the scaled
    /// Schoenfeld residuals for engagement against time with a running mean.
    /// </summary>
    private static void ProportionalHazardsSection(StringBuilder html, OutcomeResult r, int? t)
    {
        html.Append("<h4>Does the difference stay the same over follow-up?</h4>\n");
        if (r.Checks.ProportionalHazards is not { } zph)
        {
            html.Append("<p>Not tested: some terms of the adjusted model are not estimable (above), so there is no estimate to test.</p>\n");
            return;
        }

        html.Append("<p>A hazard ratio is one number for the whole of follow-up. It is a fair summary only when the difference between the groups is about the same early and late (\"proportional hazards\"). This test asks, for each term of the adjusted model, whether the difference drifts over follow-up; a small p (below 0.05) says it does, and then the hazard ratio is an average of a difference that changes.</p>\n");
        html.Append("<table>\n<caption>Proportional hazards tests (scaled Schoenfeld residuals, as R's cox.zph)</caption>\n<thead><tr><th scope=\"col\">Term</th><th scope=\"col\">Chi-square</th><th scope=\"col\">df</th><th scope=\"col\">p</th><th scope=\"col\">Reading</th></tr></thead>\n<tbody>\n");
        foreach (var term in zph.Terms.Append(zph.Global))
        {
            var reading = term.P < 0.05 ? "changes over follow-up" : "no clear change over follow-up";
            html.Append(Invariant($"<tr><th scope=\"row\">{E(TermLabel(term.Name))}</th><td>{term.ChiSquare:F2}</td><td>{term.DegreesOfFreedom}</td><td>{P(term.P)}</td><td>{reading}</td></tr>\n"));
        }

        html.Append("</tbody>\n</table>\n");
        if (zph[Terms.Engaged] is { } engaged)
        {
            html.Append(engaged.P < 0.05
                ? "<p><strong>The difference between engaged and not engaged people changes over follow-up.</strong> The single hazard ratio above averages it; the plot below shows how it moves (above the dashed line: a higher rate in engaged people at that point of follow-up; below: lower).</p>\n"
                : "<p>For engagement, the test finds no clear change over follow-up: the hazard ratio above is a fair summary. A test with few events can miss a change; the plot shows the pattern.</p>\n");
            SchoenfeldPlot(html, zph, r.Outcome, r.EngagementAdjusted[Terms.Engaged]?.Beta ?? 0, t);
        }
    }

    private static void SchoenfeldPlot(StringBuilder html, ProportionalHazardsTest zph, OutcomeDefinition outcome, double fitted, int? t)
    {
        var residuals = zph.Residuals(Terms.Engaged);
        var events = residuals.Length;
        if (events < 2)
        {
            return;
        }

        var window = Math.Max(5, events / 10);
        var smooth = zph.RunningMean(Terms.Engaged, window);
        // The plotted range: the middle 90% of the points, with the smooth line, zero and the fitted value.
        var sorted = residuals.Order().ToArray();
        var low = Math.Min(Math.Min(sorted[(int)(0.05 * (events - 1))], smooth.Min()), Math.Min(0, fitted));
        var high = Math.Max(Math.Max(sorted[(int)(0.95 * (events - 1))], smooth.Max()), Math.Max(0, fitted));
        if (high - low < 1e-9)
        {
            (low, high) = (low - 1, high + 1);
        }

        const double width = 640, height = 320, left = 56, right = 16, top = 16, bottom = 44;
        // The x axis runs to the last event's transformed time (the share who had had the event by then), not to 1.
        var maxG = Math.Max(zph.TransformedTimes[^1], 1e-9);
        double X(double g) => left + (g / maxG * (width - left - right));
        double Y(double v) => top + ((high - Math.Clamp(v, low, high)) / (high - low) * (height - top - bottom));
        var id = $"{outcome.Key}-zph";
        var label = $"{outcome.Title}: how the engaged and not engaged difference (log hazard ratio) moves over follow-up";
        html.Append(Invariant($"<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"fig-{id}\">\n<title id=\"fig-{id}\">{E(label)}</title>\n"));
        for (var tick = 0; tick <= 4; tick++)
        {
            var v = low + ((high - low) * tick / 4);
            html.Append(Invariant($"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(v):F1}\" y2=\"{Y(v):F1}\" stroke=\"#dddddd\"/><text x=\"{left - 6}\" y=\"{Y(v) + 4:F1}\" text-anchor=\"end\" font-size=\"11\" font-family=\"sans-serif\">{v:F1}</text>\n"));
            // The axis is R's "km" scale (the share of the cohort who had had the event); its ticks are labelled in days.
            var at = (int)Math.Round((events - 1) * tick / 4.0);
            html.Append(Invariant($"<text x=\"{X(zph.TransformedTimes[at]):F1}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\" font-size=\"11\" font-family=\"sans-serif\">{zph.EventTimes[at]:F0}</text>\n"));
        }

        html.Append(Invariant($"<text x=\"{(left + width - right) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\" font-size=\"12\" font-family=\"sans-serif\">days from the landmark (spaced by how many had had the event)</text>\n"));
        html.Append(Invariant($"<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{height - bottom}\" stroke=\"#0b0c0c\"/><line x1=\"{left}\" x2=\"{width - right}\" y1=\"{height - bottom}\" y2=\"{height - bottom}\" stroke=\"#0b0c0c\"/>\n"));
        html.Append(Invariant($"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(0):F1}\" y2=\"{Y(0):F1}\" stroke=\"#0b0c0c\" stroke-dasharray=\"2 3\"/>\n"));
        html.Append(Invariant($"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(fitted):F1}\" y2=\"{Y(fitted):F1}\" stroke=\"#d4351c\" stroke-dasharray=\"6 4\"/>\n"));
        if (t is null)
        {
            // One point per event (at most 400, evenly spread), only in the analyst's file: on the managers' page
            // a point is one person's event, so only the smooth line is drawn there.
            var stride = Math.Max(1, events / 400);
            var points = new StringBuilder();
            for (var i = 0; i < events; i += stride)
            {
                points.Append(Invariant($"<circle cx=\"{X(zph.TransformedTimes[i]):F1}\" cy=\"{Y(residuals[i]):F1}\" r=\"1.5\"/>"));
            }

            html.Append(Invariant($"<g fill=\"#505a5f\" fill-opacity=\"0.5\">{points}</g>\n"));
        }

        var line = new StringBuilder();
        var lineStride = Math.Max(1, events / 200);
        for (var i = 0; i < events; i += lineStride)
        {
            line.Append(Invariant($"{(line.Length == 0 ? "M" : " L")}{X(zph.TransformedTimes[i]):F1},{Y(smooth[i]):F1}"));
        }

        line.Append(Invariant($" L{X(zph.TransformedTimes[^1]):F1},{Y(smooth[^1]):F1}"));
        html.Append(Invariant($"<path d=\"{line}\" fill=\"none\" stroke=\"#1d70b8\" stroke-width=\"2\"/>\n</svg>\n"));
        html.Append(Invariant($"<figcaption>{E(label)}. Blue: running mean of the scaled Schoenfeld residuals over {window} events at a time (R's plot draws a spline instead). Red dashed: the single adjusted log hazard ratio ({fitted:F2}, hazard ratio {Math.Exp(fitted):F2}). Black dotted: no difference. A flat blue line near the red one means the hazard ratio holds over follow-up.{(t is null ? " Grey: each event's residual (the middle 90% of them fit the plot; the rest are drawn at its edge)." : "")}</figcaption>\n</figure>\n"));
    }

    /// <summary>Engagement × age band and × prior psychiatric history: the likelihood-ratio test and each level's hazard ratio.</summary>
    private static void InteractionSection(StringBuilder html, OutcomeResult r)
    {
        if (r.Checks.Interactions.Count == 0)
        {
            return;
        }

        html.Append("<h4>Does engagement make more difference for some people than for others?</h4>\n");
        html.Append("<p>The strata above fit a separate model in each group. This asks the question directly: one model lets engagement's effect differ by age band (or by prior psychiatric history), and a likelihood-ratio test says whether it differs more than chance would make it. <strong>These are many comparisons</strong> (two factors, several levels, three outcomes): one small p among them can happen by chance, so read a difference between groups as a question for the next evaluation, not a finding.</p>\n");
        foreach (var i in r.Checks.Interactions)
        {
            var factor = i.Column == "age_band" ? "Age band" : "Prior psychiatric history";
            html.Append(Invariant($"<table>\n<caption>Engaged compared with not engaged, by {E(factor.ToLowerInvariant())}, from one adjusted model</caption>\n<thead><tr><th scope=\"col\">{E(factor)}</th><th scope=\"col\">Hazard ratio (95% CI)</th><th scope=\"col\">p</th></tr></thead>\n<tbody>\n"));
            var prefix = $"{Terms.Engaged}:{i.Column}=";
            foreach (var name in i.Fit.Coefficients.Select(c => c.Name).Concat(i.Fit.NotEstimable.Select(n => n.Name)).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
            {
                var level = name[prefix.Length..];
                var shown = i.Column == "age_band" ? CohortCategories.Describe(level) : level;
                html.Append(i.Fit.WhyNotEstimable(name) is { } why
                    ? Invariant($"<tr><th scope=\"row\">{E(shown)}</th><td colspan=\"2\">not estimable: {E(why)}</td></tr>\n")
                    : Invariant($"<tr><th scope=\"row\">{E(shown)}</th><td>{i.Fit[name]!.HazardRatio:F2} ({i.Fit[name]!.Lower:F2} to {i.Fit[name]!.Upper:F2})</td><td>{P(i.Fit[name]!.P)}</td></tr>\n"));
            }

            html.Append("</tbody>\n</table>\n");
            html.Append(i.Tested
                ? Invariant($"<p>Does engagement's effect differ by {E(factor.ToLowerInvariant())}? Likelihood-ratio test {i.LikelihoodRatio:F2} on {i.DegreesOfFreedom} df, p {P(i.P)}: {(i.P < 0.05 ? "it seems to differ (but see the caution above)" : "no clear difference")}.</p>\n")
                : "<p>Not tested: some terms are not estimable (too few people or events in some groups).</p>\n");
        }
    }

    /// <summary>Engaged compared with not engaged in days and in people per 100, from the Kaplan–Meier curves.</summary>
    private static void AbsoluteEffectsSection(StringBuilder html, OutcomeResult r, int? t)
    {
        if (r.Checks.Absolute is not { } a)
        {
            return;
        }

        html.Append("<h4>In days and in people: the difference engagement makes</h4>\n");
        var (counts, _) = Pairs([.. r.ByEngagement.Select(c => c.Curve.Events)], [.. r.ByEngagement.Select(c => c.Curve.Count)], t);
        if (counts.Any(c => c.Numerator.Suppressed || c.Denominator.Suppressed))
        {
            html.Append("<p>Not shown: these come from the curves, which are not drawn because their numbers are hidden.</p>\n");
            return;
        }

        html.Append(Invariant($"<p>A hazard ratio says how much faster or slower events happen, not how many people they happen to. These numbers say it in days and in people. The <em>restricted mean</em> is how many of the first {EvaluateProgramme.RmstHorizon} days after the landmark a person spent, on average, without the event.</p>\n"));
        var d = a.RmstDifference;
        html.Append("<table>\n<caption>Restricted mean time without the event, first 365 days (95% CI)</caption>\n<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">Days without the event</th></tr></thead>\n<tbody>\n");
        html.Append(Invariant($"<tr><th scope=\"row\">Engaged</th><td>{a.Engaged.Mean:F1} ({a.Engaged.Mean - (1.959964 * a.Engaged.StdErr):F1} to {a.Engaged.Mean + (1.959964 * a.Engaged.StdErr):F1})</td></tr>\n"));
        html.Append(Invariant($"<tr><th scope=\"row\">Not engaged</th><td>{a.NotEngaged.Mean:F1} ({a.NotEngaged.Mean - (1.959964 * a.NotEngaged.StdErr):F1} to {a.NotEngaged.Mean + (1.959964 * a.NotEngaged.StdErr):F1})</td></tr>\n"));
        html.Append(Invariant($"<tr><th scope=\"row\">Difference (engaged minus not engaged)</th><td>{d.Estimate:F1} ({d.Lower:F1} to {d.Upper:F1}), p {P(d.P)}</td></tr>\n"));
        html.Append("</tbody>\n</table>\n");
        html.Append(Invariant($"<p>{(d.Estimate >= 0 ? "Engaged people spent on average " + d.Estimate.ToString("F1", CultureInfo.InvariantCulture) + " more days" : "Engaged people spent on average " + (-d.Estimate).ToString("F1", CultureInfo.InvariantCulture) + " fewer days")} of the first {EvaluateProgramme.RmstHorizon} without the event than people not engaged{(d.Lower <= 0 && d.Upper >= 0 ? "; the interval includes no difference" : "")}. These are not adjusted for age band, sex or prior psychiatric history.</p>\n"));

        if (a.Risks.Count == 0)
        {
            return;
        }

        html.Append("<table>\n<caption>Risk of the event by each day: share of people who had it (95% CI of the difference)</caption>\n<thead><tr><th scope=\"col\">By day</th><th scope=\"col\">Engaged</th><th scope=\"col\">Not engaged</th><th scope=\"col\">Difference, per 100 people</th></tr></thead>\n<tbody>\n");
        foreach (var risk in a.Risks)
        {
            var rd = risk.Difference;
            html.Append(Invariant($"<tr><th scope=\"row\">Day {risk.Day}</th><td>{100 * risk.RiskA:F1} in 100</td><td>{100 * risk.RiskB:F1} in 100</td><td>{100 * rd.Estimate:+0.0;-0.0;0.0} ({100 * rd.Lower:F1} to {100 * rd.Upper:F1})</td></tr>\n"));
        }

        html.Append("</tbody>\n</table>\n<p>Risk is one minus the Kaplan–Meier proportion without the event, with Greenwood standard errors; a negative difference means fewer engaged people had the event by that day. A day that one of the groups' follow-up does not reach is left out. Unadjusted, like the curves.</p>\n");
    }

    /// <summary>How strong an unmeasured difference between the groups would have to be to explain the adjusted hazard ratio away.</summary>
    private static void EValueSection(StringBuilder html, OutcomeResult r)
    {
        if (r.Checks.EValue is not { } e)
        {
            return;
        }

        html.Append("<h4>Could something not measured explain it?</h4>\n");
        html.Append(Invariant($"<p>E-value {e.Estimate:F2}; for the end of the confidence interval nearer no difference, {e.Interval:F2}. To explain away the adjusted hazard ratio, something the record does not hold (for example how much support a person has at home) would have to make engagement and the outcome each about {e.Estimate:F1} times as likely, beyond age band, sex and prior psychiatric history. {(e.Interval <= 1 ? "The confidence interval already includes no difference, so no hidden factor is needed to move it there." : Invariant($"A factor of {e.Interval:F1} would be enough to move the interval to include no difference."))} The larger the E-value, the stronger such a factor would have to be. "));
        html.Append(e.Rare
            ? "The outcome is rare here (fewer than 15 in 100 people had it), so the hazard ratio is read as a risk ratio (VanderWeele and Ding, 2017).</p>\n"
            : "The outcome is common here (15 or more in 100 people had it), so the hazard ratio is first turned into a risk ratio by the square-root rule, as the R package EValue does (VanderWeele and Ding, 2017; VanderWeele, 2020).</p>\n");
    }

    /// <summary>
    /// Competing risks for one outcome, in words a service manager reads: why 1 − Kaplan–Meier overstates
    /// the chance of the event when people can die first, the cumulative incidence beside it, and the
    /// Fine–Gray subdistribution hazard ratio with what it does and does not mean.
    /// </summary>
    private static void CompetingRisksSection(StringBuilder html, OutcomeResult r, int? t)
    {
        var what = r.Outcome.Title.ToLowerInvariant();
        html.Append(Invariant($"<h3 id=\"{r.Outcome.Key}-competing\">Competing risks</h3>\n"));
        if (r.CompetingRisks is not { } cr)
        {
            html.Append(Invariant($"<p>Nothing can come before {E(what)} and prevent it, so 1 − Kaplan–Meier above is already the proportion who had it by each day.</p>\n"));
            return;
        }

        var competing = E(cr.Competing.Title);
        if (cr.OnlyKaplanMeier is { } why)
        {
            html.Append(Invariant($"<p><strong>Competing risks are not estimated: {E(why)}.</strong> "));
            html.Append(why == CompetingRiskResult.NoCompetingEvents
                ? Invariant($"Without any {competing}, 1 − Kaplan–Meier above is the cumulative incidence; only it is given.</p>\n")
                : Invariant($"Only 1 − Kaplan–Meier is given above, and it overstates the chance of {E(what)} if people died first ({competing}).</p>\n"));
            return;
        }

        html.Append(Invariant($"<p>For some people, {competing} came first; after it, {E(what)} can no longer happen. 1 − Kaplan–Meier overstates the chance of {E(what)} when people can die first: it counts them as if they could still have it later. The <strong>cumulative incidence</strong> does not: it is the proportion of the group with {E(what)} by each day, counting those who died first as not having it. "));
        html.Append("It is estimated by the Aalen–Johansen method with Gray's variance, as R's <code>cmprsk::cuminc</code> gives it; the 95% interval is on the log(−log) scale.</p>\n");
        html.Append(Invariant($"<table>\n<caption>{E(r.Outcome.Title)}: cumulative incidence by day (95% CI), with 1 − Kaplan–Meier beside it</caption>\n<thead><tr><th scope=\"col\">Group</th><th scope=\"col\">People</th><th scope=\"col\">Events</th><th scope=\"col\">Competing: {competing}</th>"));
        foreach (var day in EvaluationResults.IncidenceDays)
        {
            html.Append(Invariant($"<th scope=\"col\">Day {day}</th>"));
        }

        html.Append("</tr></thead>\n<tbody>\n");
        var (cells, _) = Pairs([.. cr.ByEngagement.Select(g => g.Incidence.Events)], [.. cr.ByEngagement.Select(g => g.Incidence.Count)], t);
        foreach (var (g, cell) in cr.ByEngagement.Zip(cells))
        {
            var others = Count(g.Incidence.CompetingEvents, t);
            html.Append(Invariant($"<tr><th scope=\"row\">{E(g.Group)}</th><td>{cell.Denominator}</td><td>{cell.Numerator}</td><td>{others}</td>"));
            if (cell.Numerator.Suppressed || cell.Denominator.Suppressed || others.Suppressed)
            {
                html.Append(Invariant($"<td colspan=\"{EvaluationResults.IncidenceDays.Length}\">not shown: the estimates would reveal the numbers hidden beside them</td></tr>\n"));
                continue;
            }

            var km = r.ByEngagement.FirstOrDefault(c => c.Group == g.Group)?.Curve;
            foreach (var day in EvaluationResults.IncidenceDays)
            {
                var step = km?.At(day);
                html.Append(g.Incidence.At(day) is { } at
                    ? Invariant($"<td>{at.Estimate:F3} ({at.Lower:F3} to {at.Upper:F3})<br><small>1 − Kaplan–Meier: {(step is null ? "–" : (1 - step.Survival).ToString("F3", CultureInfo.InvariantCulture))}</small></td>")
                    : "<td>nobody followed this long</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n");

        if (cr.Adjusted is not { } fit)
        {
            return;
        }

        html.Append(Invariant($"<table>\n<caption>Fine–Gray model: {E(what)} with {competing} competing, engagement adjusted for age band, sex and prior psychiatric history</caption>\n<thead><tr><th scope=\"col\">Compared with the reference</th><th scope=\"col\">Subdistribution hazard ratio</th><th scope=\"col\">95% CI</th><th scope=\"col\">log SHR (SE)</th><th scope=\"col\">p</th></tr></thead>\n<tbody>\n"));
        foreach (var c in fit.Coefficients)
        {
            html.Append(fit.WhyNotEstimable(c.Name) is { } reason
                ? Invariant($"<tr><th scope=\"row\">{E(Terms.Label(c.Name))}</th><td colspan=\"4\">not estimable: {E(reason)}</td></tr>\n")
                : Invariant($"<tr><th scope=\"row\">{E(Terms.Label(c.Name))}</th><td>{c.HazardRatio:F2}</td><td>{c.Lower:F2} to {c.Upper:F2}</td><td>{c.Beta:F3} ({c.StdErr:F3})</td><td>{P(c.P)}</td></tr>\n"));
        }

        foreach (var term in fit.NotEstimable)
        {
            html.Append(Invariant($"<tr><th scope=\"row\">{E(Terms.Label(term.Name))}</th><td colspan=\"4\">not estimable: {E(term.Reason)}</td></tr>\n"));
        }

        if (fit.Events == 0)
        {
            html.Append(Invariant($"<tr><th scope=\"row\">Engaged</th><td colspan=\"4\">not estimable: {E(NotEstimableTerm.NoEvents)}</td></tr>\n"));
        }

        html.Append("</tbody>\n</table>\n<p>");
        if (cr.References.Count > 0)
        {
            html.Append(Invariant($"References: {E(string.Join("; ", cr.References.Select(Terms.Label)))}. "));
        }

        html.Append("Terms the Cox model above could not estimate are left out here too. ");
        if (!fit.Converged)
        {
            html.Append("<strong>The model did not converge: its estimates are not shown.</strong> ");
        }

        html.Append(Invariant($"A subdistribution hazard ratio below 1 means that, by any day, a smaller proportion of that group had {E(what)} than of the reference group, counting people who died first as not having it. "));
        html.Append(Invariant($"<strong>It is not a hazard ratio of the rate of {E(what)}</strong> among people still alive and in follow-up (that is the Cox model's): fewer events can come from a lower rate or from more people dying first, so read it beside the deaths. "));
        html.Append("Estimated by the Fine–Gray method with the censoring distribution's Kaplan–Meier weights and robust (sandwich) standard errors, as R's <code>cmprsk::crr</code> gives them.</p>\n");
    }

    /// <summary>A count as the page may show it: through <see cref="Suppression"/> when a threshold is set, otherwise as it is.</summary>
    private static Shown Count(int n, int? t) => t is { } threshold ? Suppression.Alone(n, threshold) : Shown.Of(n, int.MaxValue);

    private static (IReadOnlyList<Shown> Parts, Shown Total) Parts(IReadOnlyList<int> parts, int? t) =>
        t is { } threshold ? Suppression.Breakdown(parts, threshold) : ([.. parts.Select(p => Shown.Of(p, int.MaxValue))], Shown.Of(parts.Sum(), int.MaxValue));

    private static (IReadOnlyList<(Shown Numerator, Shown Denominator)> Cells, (Shown Numerator, Shown Denominator) Total) Pairs(IReadOnlyList<int> numerators, IReadOnlyList<int> denominators, int? t) =>
        t is { } threshold ? Suppression.Pairs(numerators, denominators, threshold)
            : ([.. numerators.Zip(denominators, (n, d) => (Shown.Of(n, int.MaxValue), Shown.Of(d, int.MaxValue)))], (Shown.Of(numerators.Sum(), int.MaxValue), Shown.Of(denominators.Sum(), int.MaxValue)));

    /// <summary>Some of everyone (engaged of people, events of people), as one numerator over its denominator.</summary>
    private static (Shown Numerator, Shown Denominator) Pair(int numerator, int denominator, int? t) => Pairs([numerator], [denominator], t).Cells[0];

    private static string P(double p) => double.IsNaN(p) ? "–" : p < 0.001 ? "&lt; 0.001" : "= " + p.ToString("F3", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
