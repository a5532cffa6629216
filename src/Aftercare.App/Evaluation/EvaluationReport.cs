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
public sealed record ReportContext(string Source, DateTimeOffset GeneratedAt, EvaluationSettings? Settings, ExtractedCohort? Flow, int? SuppressBelow = null);

/// <summary>
/// The evaluation as one self-contained HTML file: methods, tables, Kaplan–Meier curves drawn as
/// inline SVG with their data tables beside them, and the caveats. No script, no style element and
/// no style attribute, so the page also passes the app's Content-Security-Policy if served.
/// </summary>
public static class EvaluationReport
{
    private static readonly string[] Palette = ["#1d70b8", "#d4351c", "#00703c", "#6f72af", "#b58840", "#912b88", "#28a197", "#505a5f"];
    private static readonly int[] TableDays = [30, 90, 180, 365];

    /// <summary>The whole report as one self-contained HTML file.</summary>
    public static string Render(EvaluationResult result, ReportContext context) =>
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Aftercare programme evaluation</title>\n</head>\n<body>\n<main>\n<h1>Aftercare programme evaluation</h1>\n"
        + Body(result, context) + "</main>\n</body>\n</html>\n";

    /// <summary>The report's content under its heading, for the app's page inside the site's layout.</summary>
    public static string Body(EvaluationResult result, ReportContext context)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(context);
        var html = new StringBuilder();
        var t = context.SuppressBelow;
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

        Methods(html, result, context);
        foreach (var outcome in result.Outcomes)
        {
            Outcome(html, outcome, t);
        }

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
        html.Append("Stratified results fit the adjusted model within each age band and each level of prior psychiatric history. The same analysis runs on the cohort file with <code>aftercare evaluate --cohort</code>, and can be checked in R with <code>survival::coxph(..., ties = \"efron\")</code>.</p>\n");
        html.Append(Invariant($"<p>Pathways in the cohort: {E(string.Join(", ", result.Pathways))} (\"none\": not enrolled on a pathway after the index presentation).</p>\n"));
    }

    private static void Outcome(StringBuilder html, OutcomeResult r, int? t)
    {
        var title = r.Outcome.Title;
        html.Append(Invariant($"<section>\n<h2>{E(title)}</h2>\n"));
        html.Append("<h3>Engaged with aftercare and not engaged</h3>\n");
        Curves(html, r.ByEngagement, $"{title}: proportion without the event, engaged and not engaged", $"{r.Outcome.Key}-engagement", t);
        LogRankTable(html, r.EngagementLogRank, r.ByEngagement.Select(c => c.Group).ToList(), ["Not engaged", "Engaged"], t);
        CoxTable(html, "Cox model, engagement only (crude)", r.EngagementCrude, [], t);
        CoxTable(html, "Cox model, engagement adjusted for age band, sex and prior psychiatric history", r.EngagementAdjusted, r.EngagementReferences, t);

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
                : "<td>not estimable (no events, or everyone in one group)</td><td></td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");

        html.Append("<h3>By pathway</h3>\n");
        Curves(html, r.ByPathway, $"{title}: proportion without the event, by pathway", $"{r.Outcome.Key}-pathway", t);
        LogRankTable(html, r.PathwayLogRank, r.ByPathway.Select(c => c.Group).ToList(), null, t);
        CoxTable(html, "Cox model, pathway adjusted for age band, sex and prior psychiatric history", r.PathwayAdjusted, r.PathwayReferences, t);
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
        html.Append(Invariant($"<figcaption>{E(label)}. Shaded: 95% confidence bands. The same numbers are in the table below.{missing}</figcaption>\n</figure>\n"));

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
                var step = c.Curve.Steps.LastOrDefault(s => s.Time <= day);
                html.Append(step is null
                    ? "<td>1.000</td>"
                    : Invariant($"<td>{step.Survival:F3} ({(double.IsNaN(step.Lower) ? "–" : step.Lower.ToString("F3", CultureInfo.InvariantCulture))} to {(double.IsNaN(step.Upper) ? "–" : step.Upper.ToString("F3", CultureInfo.InvariantCulture))})</td>"));
            }

            html.Append(Invariant($"<td>{(c.Curve.Median is { } m ? m.ToString("F0", CultureInfo.InvariantCulture) : "not reached")}</td></tr>\n"));
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

    private static void CoxTable(StringBuilder html, string caption, CoxFit fit, IReadOnlyList<string> references, int? t)
    {
        html.Append(Invariant($"<table>\n<caption>{E(caption)}</caption>\n<thead><tr><th scope=\"col\">Compared with the reference</th><th scope=\"col\">Hazard ratio</th><th scope=\"col\">95% CI</th><th scope=\"col\">log HR (SE)</th><th scope=\"col\">p (Wald)</th></tr></thead>\n<tbody>\n"));
        foreach (var c in fit.Coefficients)
        {
            if (!(c.StdErr < 10))
            {
                // Monotone likelihood: no events in one group, so the ratio runs off towards 0 or infinity.
                html.Append(Invariant($"<tr><th scope=\"row\">{E(c.Name)}</th><td colspan=\"4\">not estimable: too few events in one of the groups</td></tr>\n"));
                continue;
            }

            html.Append(Invariant($"<tr><th scope=\"row\">{E(c.Name)}</th><td>{c.HazardRatio:F2}</td><td>{c.Lower:F2} to {c.Upper:F2}</td><td>{c.Beta:F3} ({c.StdErr:F3})</td><td>{P(c.P)}</td></tr>\n"));
        }

        html.Append("</tbody>\n</table>\n<p>");
        if (references.Count > 0)
        {
            html.Append(Invariant($"References: {E(string.Join("; ", references))}. "));
        }

        if (fit.NotEstimable.Count > 0)
        {
            html.Append(Invariant($"Not estimable here (does not vary, or repeats other covariates): {E(string.Join(", ", fit.NotEstimable))}. "));
        }

        var (events, people) = Pair(fit.Events, fit.Count, t);
        html.Append(Invariant($"{people} people, {events} events. Likelihood-ratio test {fit.LikelihoodRatio:F2} on {fit.DegreesOfFreedom} df, p {P(fit.LikelihoodRatioP)}; Wald test {fit.WaldChiSquare:F2}, p {P(fit.WaldP)}."));
        if (!fit.Converged)
        {
            html.Append(" <strong>The model did not converge: read these numbers with care.</strong>");
        }

        html.Append(" A hazard ratio below 1 means the event happened at a lower rate in that group than in the reference group, on average over follow-up.</p>\n");
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
