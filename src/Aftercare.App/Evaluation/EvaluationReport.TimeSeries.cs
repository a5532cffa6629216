using System.Globalization;
using System.Text;
using Aftercare.Domain.Measures;
using Aftercare.Statistics;

namespace Aftercare.App.Evaluation;

/// <summary>
/// Issue 15: the report's section "Over time: before and after the programme started". Small numbers: on the
/// page (a threshold set) every monthly count in a table goes through the same rule as the rest of the report,
/// and the plot leaves out the observed point of a month whose count is hidden, so the picture cannot show what
/// the table hides. The fitted and counterfactual lines are drawn: they are estimates from the whole series, and
/// no month's count can be read off them. The rate ratios describe the service as a whole.
/// </summary>
public static partial class EvaluationReport
{
    private const string FittedColour = "#1d70b8";
    private const string CounterfactualColour = "#505a5f";
    private static readonly double[] NiceSteps = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

    private static void TimeSeriesSection(StringBuilder html, TimeSeriesResult its, EvaluationResult? cohort, int? t)
    {
        html.Append("<section id=\"over-time\">\n<h2>Over time: before and after the programme started</h2>\n");
        if (its.NotFitted is { } why)
        {
            html.Append(Invariant($"<p><strong>The time series cannot be fitted yet:</strong> {E(why)}</p>\n"));
            html.Append("<p>When it can, this section will compare each month's presentations, repeat presentations and (when mortality data are linked) deaths with what the months before the programme would have led us to expect.</p>\n</section>\n");
            return;
        }

        var months = its.Series.Months;
        var start = its.ProgrammeStart!.Value;
        html.Append(Invariant($"<p>The programme started in <strong>{start:MMMM yyyy}</strong>. This section looks at the whole service month by month, from {Month(months[0].Month)} to {Month(months[^1].Month)} ({its.StartIndex} months before the start, {months.Count - its.StartIndex} from it on). "));
        html.Append("For each count it asks two questions: did it step up or down when the programme started (the <em>change at the start</em>), and did its trend change after that (the <em>change per month</em>)? Both are compared with what the months before would have led us to expect had things carried on as they were, allowing for the usual rise and fall through the year. A rate ratio of 1 means no change; 1.10 means 10% more, 0.90 means 10% fewer.</p>\n");
        if (t is { } threshold)
        {
            html.Append(Invariant($"<p>Monthly counts from 1 to {threshold - 1} are not shown in the tables, and their points are left out of the plots; the model's lines are drawn, because no month's count can be read from them.</p>\n"));
        }

        AtAGlance(html, its, cohort, t);
        foreach (var o in its.Outcomes)
        {
            OutcomeOverTime(html, its, o, t);
        }

        html.Append("<h3>Method (for a statistician)</h3>\n<p>Segmented (interrupted time series) regression of each monthly count: log E[y<sub>t</sub>] = β<sub>0</sub> + β<sub>1</sub>·time + β<sub>2</sub>·level + β<sub>3</sub>·slope + s·sin(2π·m/12) + c·cos(2π·m/12), ");
        html.Append("where time is months from the series' first month, level is 1 from the programme's first month on, slope is months since that month (0 before it and in it), and m is the calendar month (one Fourier pair for the season). ");
        html.Append(Invariant($"A Poisson model is fitted first; when its Pearson χ²/df (the dispersion) exceeds {SegmentedRegression.OverdispersionThreshold:F1}, the counts vary more than a Poisson allows and a negative binomial (θ by maximum likelihood, as <code>MASS::glm.nb</code>) is used instead. "));
        html.Append("Rate ratios are exp(β<sub>2</sub>) and exp(β<sub>3</sub>) with Wald 95% intervals; the counterfactual is the fitted model with level and slope set to 0, its 95% band from the linear predictor's standard error. There is no population offset (the counts are the service's own), and months are calendar months in the service's time zone; the month the analysis runs in is left out because it is not complete. ");
        html.Append("Cautions: anything else that changed when the programme started (a new emergency department, a change in how presentations are recorded) would show here too; autocorrelation beyond the season is not modelled, so intervals may be too narrow; with few months before the start the trend, and so the counterfactual, is uncertain. docs/evaluation.md has R code (<code>glm</code>, <code>MASS::glm.nb</code>) that reproduces every number from the exported series (<code>aftercare evaluate --export-series</code>).</p>\n");
        html.Append("</section>\n");
    }

    /// <summary>The outcomes side by side with engagement, so repetition is never read alone.</summary>
    private static void AtAGlance(StringBuilder html, TimeSeriesResult its, EvaluationResult? cohort, int? t)
    {
        html.Append("<table>\n<caption>At a glance: each count compared with what the months before would have led us to expect (rate ratio, 95% CI)</caption>\n<thead><tr><th scope=\"col\">Monthly count</th><th scope=\"col\">Change at the start</th><th scope=\"col\">Change per month after the start</th><th scope=\"col\">Model</th></tr></thead>\n<tbody>\n");
        foreach (var o in its.Outcomes)
        {
            html.Append(Invariant($"<tr><th scope=\"row\"><a href=\"#over-time-{o.Outcome.Key}\">{E(o.Outcome.Title)}</a></th>"));
            html.Append(o.Fit is { } f && o.NotFitted is null
                ? Invariant($"<td>{Ratio(f.LevelChange)}</td><td>{Ratio(f.SlopeChange)}</td><td>{ModelName(f)}</td></tr>\n")
                : Invariant($"<td colspan=\"3\">not fitted: {E(o.NotFitted ?? "")}</td></tr>\n"));
        }

        html.Append("</tbody>\n</table>\n");
        if (cohort is null)
        {
            html.Append("<p>Engagement is not in this report (it was made from a series file alone); the cohort's report shows who aftercare reached.</p>\n");
        }
        else
        {
            var (engaged, people) = Pair(cohort.Engaged, cohort.Count, t);
            var share = engaged.Suppressed || people.Suppressed || cohort.Count == 0 ? "" : Invariant($" ({100.0 * cohort.Engaged / cohort.Count:F0}%)");
            html.Append(Invariant($"<p>Engagement: {engaged} of the {people} people in the cohort{share} were reached by aftercare by the landmark.</p>\n"));
        }
        html.Append("<p><strong>Reading these together.</strong> More recorded presentations, or more repeat presentations, after the programme started is not by itself bad news. A programme that keeps people in contact makes it easier to come back for help, and every time someone comes back it is recorded. So repeat presentations can go up while people are safer. ");
        html.Append(its.Series.MortalityLinked
            ? "The question that matters most is whether deaths fell, and whether people were reached: read the repeat presentations beside the deaths and the engagement above, never on their own. Deaths are few each month, so their intervals are wide: a change in deaths needs many months before it can be told from chance.</p>\n"
            : "<strong>Mortality data are not linked</strong>, so deaths are not shown here. Without them, a change in repeat presentations cannot be read on its own: fewer could mean fewer people coming back for help. Link mortality data before drawing conclusions.</p>\n");
    }

    private static void OutcomeOverTime(StringBuilder html, TimeSeriesResult its, SeriesOutcomeFit o, int? t)
    {
        var months = its.Series.Months;
        html.Append(Invariant($"<h3 id=\"over-time-{o.Outcome.Key}\">{E(o.Outcome.Title)}, month by month</h3>\n"));
        if (o.Fit is not { } f || o.NotFitted is not null)
        {
            html.Append(Invariant($"<p>Not fitted: {E(o.NotFitted ?? "")}</p>\n"));
            MonthTable(html, its, o, null, t);
            return;
        }

        html.Append(Invariant($"<p>{Words(o.Outcome, f.LevelChange, f.SlopeChange)} "));
        if (f.Counterfactual.Count > 0)
        {
            var last = f.Counterfactual[^1];
            html.Append(Invariant($"In {Month(months[last.Month].Month)} the model puts {E(o.Outcome.Plural)} at about {last.Fitted:F1}; had things carried on as before the programme, about {last.Expected:F1} (95% interval {last.Lower:F1} to {last.Upper:F1})."));
        }

        html.Append("</p>\n");
        Plot(html, its, o, f, t);
        html.Append(Invariant($"<table>\n<caption>{E(o.Outcome.Title)}: segmented regression ({ModelName(f)})</caption>\n<thead><tr><th scope=\"col\">Change</th><th scope=\"col\">Rate ratio</th><th scope=\"col\">95% CI</th><th scope=\"col\">log RR (SE)</th><th scope=\"col\">p</th></tr></thead>\n<tbody>\n"));
        foreach (var (label, name, ratio) in new[] { ("At the programme's start (level)", SegmentedRegression.Level, f.LevelChange), ("Per month after the start (slope)", SegmentedRegression.Slope, f.SlopeChange) })
        {
            var c = f.Fit[name];
            html.Append(ratio is { } r && c is not null
                ? Invariant($"<tr><th scope=\"row\">{label}</th><td>{r.Estimate:F3}</td><td>{r.Lower:F3} to {r.Upper:F3}</td><td>{c.Estimate:F4} ({c.StdErr:F4})</td><td>{P(r.P)}</td></tr>\n")
                : Invariant($"<tr><th scope=\"row\">{label}</th><td colspan=\"4\">not estimable from these months</td></tr>\n"));
        }

        html.Append("</tbody>\n</table>\n");
        html.Append(Invariant($"<p>Model: {ModelName(f)}. The Poisson's dispersion (Pearson χ²/df) is {f.PoissonDispersion:F2}; "));
        html.Append(f.Model == CountModel.Poisson
            ? Invariant($"at or below {SegmentedRegression.OverdispersionThreshold:F1}, the Poisson fits the month-to-month variation.")
            : Invariant($"above {SegmentedRegression.OverdispersionThreshold:F1}, the counts vary more than a Poisson allows, so the negative binomial was used (θ = {f.Fit.Theta:F2}{(f.Fit.ThetaWarning is { } w ? "; " + E(w) : "")})."));
        html.Append(Invariant($" Deviance {f.Fit.Deviance:F2} on {f.Fit.ResidualDegreesOfFreedom} degrees of freedom.</p>\n"));
        MonthTable(html, its, o, f, t);
    }

    /// <summary>The change at the start and per month, in words a service manager reads.</summary>
    private static string Words(SeriesOutcome outcome, RateRatio? level, RateRatio? slope)
    {
        var text = new StringBuilder();
        var what = E(outcome.Plural);
        if (level is { } l)
        {
            var pct = Math.Abs(l.Estimate - 1) * 100;
            text.Append(Invariant($"When the programme started, {what} {(l.Estimate >= 1 ? "stepped up" : "stepped down")} by about {pct:F0}% compared with what the months before would have led us to expect (rate ratio {l.Estimate:F2}, 95% CI {l.Lower:F2} to {l.Upper:F2})"));
            text.Append(l.Lower <= 1 && l.Upper >= 1 ? "; the interval includes no change, so this could be chance. " : ". ");
        }

        if (slope is { } s)
        {
            var pct = Math.Abs(s.Estimate - 1) * 100;
            text.Append(Invariant($"After that, the trend {(s.Estimate >= 1 ? "rose" : "fell")} by a further {pct:F1}% a month compared with the trend before (rate ratio per month {s.Estimate:F3}, 95% CI {s.Lower:F3} to {s.Upper:F3})"));
            text.Append(s.Lower <= 1 && s.Upper >= 1 ? "; the interval includes no change." : ".");
        }

        return text.ToString();
    }

    private static void Plot(StringBuilder html, TimeSeriesResult its, SeriesOutcomeFit o, SegmentedFit f, int? t)
    {
        var months = its.Series.Months;
        var n = months.Count;
        var id = "its-" + o.Outcome.Key;
        const double width = 680, height = 300, left = 56, right = 16, top = 28, bottom = 44;
        var shown = o.Counts.Select(c => t is not { } threshold || !Suppression.TooSmall(c, threshold)).ToList();
        var highest = o.Counts.Where((_, i) => shown[i]).Select(c => (double)c).Concat(f.Fit.Fitted).Concat(f.Counterfactual.Select(c => c.Upper)).Append(1.0).Max();
        var yMax = NiceCeiling(highest * 1.05);
        double X(double month) => left + ((n <= 1 ? 0 : month / (n - 1)) * (width - left - right));
        double Y(double v) => top + ((1 - (Math.Min(v, yMax) / yMax)) * (height - top - bottom));

        var label = Invariant($"{o.Outcome.Title} each month, {months[0].Label} to {months[^1].Label}: counted, fitted by the model, and what the months before would have led us to expect after the programme started in {its.ProgrammeStart!.Value:yyyy-MM}");
        html.Append(Invariant($"<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"fig-{id} desc-{id}\">\n"));
        html.Append(Invariant($"<title id=\"fig-{id}\">{E(label)}</title>\n<desc id=\"desc-{id}\">{E(Summary(o, f, its, t))}</desc>\n"));
        for (var tick = 0; tick <= 5; tick++)
        {
            var v = yMax * tick / 5;
            html.Append(Invariant($"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(v):F1}\" y2=\"{Y(v):F1}\" stroke=\"#dddddd\"/><text x=\"{left - 6}\" y=\"{Y(v) + 4:F1}\" text-anchor=\"end\" font-size=\"11\" font-family=\"sans-serif\">{v:0.#}</text>\n"));
        }

        // A tick at each January (or every month of a short series), labelled with the year.
        for (var i = 0; i < n; i++)
        {
            if (months[i].Month.Month == 1 || (n <= 12 && i % 3 == 0))
            {
                html.Append(Invariant($"<line x1=\"{X(i):F1}\" x2=\"{X(i):F1}\" y1=\"{height - bottom}\" y2=\"{height - bottom + 4}\" stroke=\"#0b0c0c\"/><text x=\"{X(i):F1}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\" font-size=\"11\" font-family=\"sans-serif\">{(months[i].Month.Month == 1 ? months[i].Month.Year.ToString(CultureInfo.InvariantCulture) : months[i].Label)}</text>\n"));
            }
        }

        html.Append(Invariant($"<text x=\"{(left + width - right) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\" font-size=\"12\" font-family=\"sans-serif\">month</text>\n"));
        html.Append(Invariant($"<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{height - bottom}\" stroke=\"#0b0c0c\"/><line x1=\"{left}\" x2=\"{width - right}\" y1=\"{height - bottom}\" y2=\"{height - bottom}\" stroke=\"#0b0c0c\"/>\n"));

        // The counterfactual's band and line, from the programme's start on.
        var cf = f.Counterfactual;
        if (cf.Count > 0)
        {
            var band = new StringBuilder();
            foreach (var c in cf)
            {
                band.Append(Invariant($"{(band.Length == 0 ? "M" : " L")}{X(c.Month):F1},{Y(c.Upper):F1}"));
            }

            for (var i = cf.Count - 1; i >= 0; i--)
            {
                band.Append(Invariant($" L{X(cf[i].Month):F1},{Y(cf[i].Lower):F1}"));
            }

            html.Append(Invariant($"<path d=\"{band} Z\" fill=\"{CounterfactualColour}\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"));
            html.Append(Invariant($"<path d=\"{Line(cf.Select(c => (c.Month, c.Expected)), X, Y)}\" fill=\"none\" stroke=\"{CounterfactualColour}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n"));
        }

        html.Append(Invariant($"<path d=\"{Line(f.Fit.Fitted.Select((v, i) => (i, v)), X, Y)}\" fill=\"none\" stroke=\"{FittedColour}\" stroke-width=\"2\"/>\n"));
        for (var i = 0; i < n; i++)
        {
            if (shown[i])
            {
                html.Append(Invariant($"<circle cx=\"{X(i):F1}\" cy=\"{Y(o.Counts[i]):F1}\" r=\"2.5\" fill=\"#0b0c0c\"/>\n"));
            }
        }

        var startX = X(its.StartIndex - 0.5);
        html.Append(Invariant($"<line x1=\"{startX:F1}\" x2=\"{startX:F1}\" y1=\"{top}\" y2=\"{height - bottom}\" stroke=\"#d4351c\" stroke-width=\"1.5\"/><text x=\"{startX + 4:F1}\" y=\"{top + 10}\" font-size=\"11\" font-family=\"sans-serif\" fill=\"#d4351c\">programme started</text>\n"));
        // The legend, above the plot area.
        var lx = left + 150;
        html.Append(Invariant($"<circle cx=\"{lx}\" cy=\"12\" r=\"2.5\" fill=\"#0b0c0c\"/><text x=\"{lx + 8}\" y=\"16\" font-size=\"11\" font-family=\"sans-serif\">counted</text>\n"));
        html.Append(Invariant($"<line x1=\"{lx + 70}\" x2=\"{lx + 90}\" y1=\"12\" y2=\"12\" stroke=\"{FittedColour}\" stroke-width=\"2\"/><text x=\"{lx + 96}\" y=\"16\" font-size=\"11\" font-family=\"sans-serif\">fitted</text>\n"));
        html.Append(Invariant($"<rect x=\"{lx + 148}\" y=\"6\" width=\"24\" height=\"12\" fill=\"{CounterfactualColour}\" fill-opacity=\"0.18\"/><line x1=\"{lx + 150}\" x2=\"{lx + 170}\" y1=\"12\" y2=\"12\" stroke=\"{CounterfactualColour}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"{lx + 176}\" y=\"16\" font-size=\"11\" font-family=\"sans-serif\">expected had things carried on (95% band)</text>\n"));
        html.Append("</svg>\n");
        var hidden = shown.Count(s => !s);
        html.Append(Invariant($"<figcaption>{E(label)}. Dots: the counts; solid line: the model; dashed line and shaded band: what the months before would have led us to expect, with its 95% interval. {E(Summary(o, f, its, t))}{(hidden > 0 ? Invariant($" {hidden} months whose counts are not shown are left out of the dots.") : "")} The counts are in the table below.</figcaption>\n</figure>\n"));
    }

    /// <summary>The plot in one sentence, for people who cannot see it.</summary>
    private static string Summary(SeriesOutcomeFit o, SegmentedFit f, TimeSeriesResult its, int? t)
    {
        // An average times the months is a total: not given when a total before or after the start is a small number.
        if (t is { } threshold && (Suppression.TooSmall(o.Counts.Take(its.StartIndex).Sum(), threshold) || Suppression.TooSmall(o.Counts.Skip(its.StartIndex).Sum(), threshold)))
        {
            return Invariant($"There were fewer than {threshold} {o.Outcome.Plural} in all the months before the start, or from it on, so averages are not given.");
        }

        var before = o.Counts.Take(its.StartIndex).Average();
        var after = o.Counts.Skip(its.StartIndex).Average();
        var expected = f.Counterfactual.Count == 0 ? double.NaN : f.Counterfactual.Average(c => c.Expected);
        return Invariant($"On average {before:F1} {o.Outcome.Plural} a month before the programme started and {after:F1} a month from its start on, against {expected:F1} a month expected had things carried on as before.");
    }

    private static void MonthTable(StringBuilder html, TimeSeriesResult its, SeriesOutcomeFit o, SegmentedFit? f, int? t)
    {
        var months = its.Series.Months;
        html.Append(Invariant($"<details>\n<summary>{E(o.Outcome.Title)}: the count for each month</summary>\n<table>\n<caption>{E(o.Outcome.Title)} by month</caption>\n<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Counted</th>{(f is null ? "" : "<th scope=\"col\">Fitted</th><th scope=\"col\">Expected had things carried on (95% interval)</th>")}</tr></thead>\n<tbody>\n"));
        var counterfactual = f?.Counterfactual.ToDictionary(c => c.Month);
        for (var i = 0; i < months.Count; i++)
        {
            html.Append(Invariant($"<tr><th scope=\"row\">{months[i].Label}{(i == its.StartIndex ? " (programme started)" : "")}</th><td>{Count(o.Counts[i], t)}</td>"));
            if (f is not null)
            {
                html.Append(Invariant($"<td>{f.Fit.Fitted[i]:F1}</td><td>{(counterfactual!.TryGetValue(i, out var c) ? Invariant($"{c.Expected:F1} ({c.Lower:F1} to {c.Upper:F1})") : "")}</td>"));
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</details>\n");
    }

    private static string Line(IEnumerable<(int Month, double Value)> points, Func<double, double> x, Func<double, double> y)
    {
        var d = new StringBuilder();
        foreach (var (m, v) in points)
        {
            d.Append(Invariant($"{(d.Length == 0 ? "M" : " L")}{x(m):F1},{y(v):F1}"));
        }

        return d.ToString();
    }

    private static string Ratio(RateRatio? r) => r is { } x ? Invariant($"{x.Estimate:F2} ({x.Lower:F2} to {x.Upper:F2}), p {P(x.P)}") : "not estimable";

    private static string ModelName(SegmentedFit f) => f.Model == CountModel.Poisson
        ? Invariant($"Poisson (dispersion {f.PoissonDispersion:F2})")
        : Invariant($"negative binomial (Poisson dispersion {f.PoissonDispersion:F2})");

    private static string Month(DateOnly month) => month.ToString("MMMM yyyy", CultureInfo.InvariantCulture);

    private static double NiceCeiling(double value)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in NiceSteps)
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }
}
