using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Aftercare.Statistics;

namespace Aftercare.App.Evaluation;

/// <summary>One number of the evaluation at full precision, named so that R's can be matched to it.</summary>
/// <param name="Analysis">km_engagement, km_pathway, logrank_engagement, logrank_pathway, cox_crude, cox_adjusted, cox_pathway, cox_stratum, zph.</param>
/// <param name="Subset">The group or stratum (<c>engaged=1</c>, <c>pathway=adult</c>, <c>age_band=18-24</c>); empty for the whole cohort.</param>
/// <param name="Term">The model term (<c>engaged</c>, <c>sex=male</c>), the day (<c>day=90</c>) or the log-rank group; empty for the whole.</param>
public sealed record ResultValue(string Outcome, string Analysis, string Subset, string Term, string Statistic, double Value);

/// <summary>What a Cox model was: its rows, its reference levels, whether it converged, and what it could not estimate.</summary>
public sealed record ResultModel(string Outcome, string Analysis, string Subset, IReadOnlyList<string> References, int N, int Events,
    bool Converged, int Iterations, IReadOnlyList<NotEstimableTerm> NotEstimable);

/// <summary>The interrupted time series as a whole: the programme's first month, the series' months, and why it was not fitted.</summary>
public sealed record ResultTimeSeries(string? ProgrammeStart, int Months, string? FirstMonth, string? LastMonth, int StartIndex, int Harmonics, string? NotFitted, IReadOnlyList<ResultTimeSeriesModel> Outcomes);

/// <summary>One outcome's segmented regression: the model used, the Poisson dispersion that chose it, θ, and why it was not fitted.</summary>
public sealed record ResultTimeSeriesModel(string Outcome, string? Model, double? PoissonDispersion, double? Theta, string? ThetaWarning, bool Converged, string? NotFitted, IReadOnlyList<string> NotEstimable);

/// <summary>
/// The evaluation's every estimate, for a statistician to diff against R (issue 15): <c>aftercare
/// evaluate --results results.json</c> writes this as JSON and, beside it, the values as a long CSV
/// (outcome, analysis, subset, term, statistic, value), the shape docs/evaluation.md's R code writes.
/// Counts are not suppressed here: like the cohort file, this is for the analyst, not for display.
/// </summary>
public sealed record EvaluationResults(int Count, int Engaged, bool MortalityLinked, IReadOnlyList<ResultModel> Models, IReadOnlyList<ResultValue> Values, ResultTimeSeries? TimeSeries = null)
{
    /// <summary>The days at which survival is tabulated, as in the report.</summary>
    public static readonly int[] Days = [30, 90, 180, 365];

    public static readonly string[] CsvColumns = ["outcome", "analysis", "subset", "term", "statistic", "value"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static EvaluationResults From(EvaluationResult result) => From(result, null);

    /// <param name="result">The cohort's evaluation; null when only a monthly series was analysed.</param>
    /// <param name="timeSeries">The interrupted time series; null when there is no series.</param>
    public static EvaluationResults From(EvaluationResult? result, TimeSeriesResult? timeSeries)
    {
        if (result is null && timeSeries is null)
        {
            throw new ArgumentNullException(nameof(result), "there is neither a cohort nor a series to take results from.");
        }

        var models = new List<ResultModel>();
        var values = new List<ResultValue>();
        foreach (var o in result?.Outcomes ?? [])
        {
            var key = o.Outcome.Key;
            void Add(string analysis, string subset, string term, string statistic, double value) => values.Add(new(key, analysis, subset, term, statistic, value));

            Curves("km_engagement", o.ByEngagement, g => g == "Engaged" ? "engaged=1" : "engaged=0");
            Curves("km_pathway", o.ByPathway, g => Terms.Code("pathway", g));
            LogRankValues("logrank_engagement", o.EngagementLogRank, ["engaged=0", "engaged=1"]);
            LogRankValues("logrank_pathway", o.PathwayLogRank, [.. result!.Pathways.Select(p => Terms.Code("pathway", p))]);
            Cox("cox_crude", "", o.EngagementCrude, []);
            Cox("cox_adjusted", "", o.EngagementAdjusted, o.EngagementReferences);
            Cox("cox_pathway", "", o.PathwayAdjusted, o.PathwayReferences);
            foreach (var s in o.Strata)
            {
                var column = s.Stratifier == "Age band" ? "age_band" : "prior_psych_history";
                Cox("cox_stratum", Terms.Code(column, s.Level), s.Fit, []);
            }

            EngagementCheckValues(o.Checks, Add);
            foreach (var interaction in o.Checks.Interactions)
            {
                Cox("cox_interaction", interaction.Column, interaction.Fit, interaction.References);
            }

            CompetingRiskValues(o, models, Add);

            void Curves(string analysis, IReadOnlyList<GroupCurve> curves, Func<string, string> subset)
            {
                foreach (var c in curves)
                {
                    var group = subset(c.Group);
                    Add(analysis, group, "", "n", c.Curve.Count);
                    Add(analysis, group, "", "events", c.Curve.Events);
                    Add(analysis, group, "", "median", c.Curve.Median ?? double.NaN);
                    foreach (var day in Days)
                    {
                        if (c.Curve.At(day) is { } step)
                        {
                            var term = $"day={day}";
                            Add(analysis, group, term, "survival", step.Survival);
                            Add(analysis, group, term, "lower", step.Lower);
                            Add(analysis, group, term, "upper", step.Upper);
                            Add(analysis, group, term, "at_risk", c.Curve.AtRisk(day));
                        }
                    }
                }
            }

            void LogRankValues(string analysis, LogRankTest test, string[] groups)
            {
                Add(analysis, "", "", "chisq", test.ChiSquare);
                Add(analysis, "", "", "df", test.DegreesOfFreedom);
                Add(analysis, "", "", "p", test.P);
                for (var g = 0; g < groups.Length; g++)
                {
                    if (test.Count[g] > 0)
                    {
                        Add(analysis, "", groups[g], "n", test.Count[g]);
                        Add(analysis, "", groups[g], "observed", test.Observed[g]);
                        Add(analysis, "", groups[g], "expected", test.Expected[g]);
                    }
                }
            }

            void Cox(string analysis, string subset, CoxFit fit, IReadOnlyList<string> references) => CoxValues(key, analysis, subset, fit, references, models, values);
        }

        if (result?.Recurrent is { Adjusted: { } ag } recurrent)
        {
            // All repeats (Andersen–Gill): the model as the Cox models are written, its robust SE as se, the model-based one as naive_se.
            const string analysis = "cox_recurrent";
            CoxValues(Repeat, analysis, "", ag, recurrent.References, models, values);
            values.Add(new(Repeat, analysis, "", "", "people", ag.Clusters ?? 0));
            foreach (var c in ag.Coefficients)
            {
                values.Add(new(Repeat, analysis, "", c.Name, "naive_se", c.NaiveStdErr ?? double.NaN));
            }

            foreach (var rate in recurrent.Rates)
            {
                var subset = rate.Group == "Engaged" ? "engaged=1" : "engaged=0";
                values.Add(new(Repeat, "recurrent_rate", subset, "", "people", rate.People));
                values.Add(new(Repeat, "recurrent_rate", subset, "", "repeats", rate.Repeats));
                values.Add(new(Repeat, "recurrent_rate", subset, "", "days", rate.DaysFollowed));
                values.Add(new(Repeat, "recurrent_rate", subset, "", "rate", rate.PerHundredPersonYears));
            }
        }

        foreach (var l in result?.Landmarks?.Fits ?? [])
        {
            // The landmark varied: each outcome's adjusted model at each landmark (subset landmark=14), with who was engaged by then.
            var subset = $"landmark={l.LandmarkDays}";
            CoxValues(l.Outcome, "cox_landmark", subset, l.Adjusted, l.References, models, values);
            values.Add(new(l.Outcome, "cox_landmark", subset, "", "engaged", l.Engaged));
        }

        var series = timeSeries is null ? null : TimeSeriesValues(timeSeries, values);
        return new EvaluationResults(result?.Count ?? 0, result?.Engaged ?? 0, result?.MortalityLinked ?? timeSeries!.Series.MortalityLinked, models, values, series);
    }

    private const string Repeat = "repeat";

    /// <summary>A Cox model's numbers: its whole (n, events, converged, …) and, per term, whether it is estimable and its estimates.</summary>
    private static void CoxValues(string key, string analysis, string subset, CoxFit fit, IReadOnlyList<string> references, List<ResultModel> models, List<ResultValue> values)
    {
        void Add(string term, string statistic, double value) => values.Add(new(key, analysis, subset, term, statistic, value));
        models.Add(new ResultModel(key, analysis, subset, references, fit.Count, fit.Events, fit.Converged, fit.Iterations, fit.NotEstimable));
        Add("", "n", fit.Count);
        Add("", "events", fit.Events);
        Add("", "converged", fit.Converged ? 1 : 0);
        Add("", "iterations", fit.Iterations);
        Add("", "loglik_null", fit.LogLikelihoodNull);
        Add("", "loglik", fit.LogLikelihood);
        Add("", "lr", fit.LikelihoodRatio);
        Add("", "lr_df", fit.DegreesOfFreedom);
        Add("", "lr_p", fit.LikelihoodRatioP);
        Add("", "wald", fit.WaldChiSquare);
        Add("", "score", fit.ScoreChiSquare);
        foreach (var c in fit.Coefficients)
        {
            var estimable = fit.WhyNotEstimable(c.Name) is null;
            Add(c.Name, "estimable", estimable ? 1 : 0);
            Add(c.Name, "beta", c.Beta);
            Add(c.Name, "se", c.StdErr);
            Add(c.Name, "hr", c.HazardRatio);
            Add(c.Name, "lower", c.Lower);
            Add(c.Name, "upper", c.Upper);
            Add(c.Name, "z", c.Z);
            Add(c.Name, "p", c.P);
        }

        foreach (var t in fit.NotEstimable)
        {
            Add(t.Name, "estimable", 0);
        }
    }

    /// <summary>
    /// The interrupted time series (analysis <c>its</c>, outcome presentations, repeat_presentations, deaths_suicide,
    /// deaths_any): per outcome months, start_index, fitted (0 when not fitted); when fitted model (0 Poisson, 1
    /// negative binomial), poisson_dispersion (Pearson χ²/df of the Poisson, which chose the model), deviance,
    /// df_residual, aic, converged, theta and theta_se (negative binomial only); per coefficient (term
    /// <c>(Intercept)</c>, time, level, slope, sin1, cos1) beta, se, z, p; for level and slope also rr, lower,
    /// upper. Analysis <c>its_month</c>, term <c>month=yyyy-MM</c>: observed and fitted for every month, and from
    /// the programme's start counterfactual with its lower and upper 95% limits.
    /// </summary>
    private static ResultTimeSeries TimeSeriesValues(TimeSeriesResult its, List<ResultValue> values)
    {
        var months = its.Series.Months;
        var outcomes = new List<ResultTimeSeriesModel>();
        foreach (var o in its.Outcomes)
        {
            var key = o.Outcome.Key;
            void Add(string analysis, string term, string statistic, double value) => values.Add(new(key, analysis, "", term, statistic, value));
            Add("its", "", "months", months.Count);
            Add("its", "", "start_index", its.StartIndex);
            Add("its", "", "fitted", o.Fit is null ? 0 : 1);
            if (o.Fit is not { } s)
            {
                outcomes.Add(new ResultTimeSeriesModel(key, null, null, null, null, false, o.NotFitted, []));
                continue;
            }

            var f = s.Fit;
            outcomes.Add(new ResultTimeSeriesModel(key, s.Model == CountModel.Poisson ? "poisson" : "negative_binomial", s.PoissonDispersion, f.Theta, f.ThetaWarning, f.Converged, o.NotFitted, [.. f.NotEstimable.Select(n => n.Name)]));
            Add("its", "", "model", s.Model == CountModel.Poisson ? 0 : 1);
            Add("its", "", "poisson_dispersion", s.PoissonDispersion);
            Add("its", "", "deviance", f.Deviance);
            Add("its", "", "df_residual", f.ResidualDegreesOfFreedom);
            Add("its", "", "aic", f.Aic);
            Add("its", "", "converged", f.Converged ? 1 : 0);
            if (f.Theta is { } theta)
            {
                Add("its", "", "theta", theta);
                Add("its", "", "theta_se", f.ThetaStdErr ?? double.NaN);
            }

            foreach (var c in f.Coefficients)
            {
                Add("its", c.Name, "beta", c.Estimate);
                Add("its", c.Name, "se", c.StdErr);
                Add("its", c.Name, "z", c.Z);
                Add("its", c.Name, "p", c.P);
            }

            foreach (var (name, ratio) in new[] { (SegmentedRegression.Level, s.LevelChange), (SegmentedRegression.Slope, s.SlopeChange) })
            {
                if (ratio is { } r)
                {
                    Add("its", name, "rr", r.Estimate);
                    Add("its", name, "lower", r.Lower);
                    Add("its", name, "upper", r.Upper);
                }
            }

            for (var t = 0; t < months.Count; t++)
            {
                var term = "month=" + months[t].Label;
                Add("its_month", term, "observed", o.Counts[t]);
                Add("its_month", term, "fitted", f.Fitted[t]);
            }

            foreach (var c in s.Counterfactual)
            {
                var term = "month=" + months[c.Month].Label;
                Add("its_month", term, "counterfactual", c.Expected);
                Add("its_month", term, "lower", c.Lower);
                Add("its_month", term, "upper", c.Upper);
            }
        }

        return new ResultTimeSeries(
            its.ProgrammeStart?.ToString("yyyy-MM", CultureInfo.InvariantCulture), months.Count, months.Count > 0 ? months[0].Label : null,
            months.Count > 0 ? months[^1].Label : null, its.StartIndex, its.Harmonics, its.NotFitted, outcomes);
    }

    /// <summary>
    /// zph: cox.zph on the adjusted engagement model: <c>tested</c> (0 when a term is not estimable), then
    /// per term (a factor, <c>engaged</c> or <c>GLOBAL</c>) chisq, df and p. rmst: per group (<c>engaged=1</c>)
    /// rmst and se, and (subset empty) the difference engaged − not engaged with se, lower, upper, p, all at
    /// term <c>day=365</c>. riskdiff: per group and day, risk (1 − S); the difference with se, lower,
    /// upper. interaction (subset age_band or prior_psych_history): tested, and when tested lr, df, p, with
    /// the model itself as cox_interaction (terms engaged:age_band=18-24, …). evalue: for term <c>engaged</c>, rare (1 when under 15% had the event), rr, evalue, evalue_ci.
    /// </summary>
    private static void EngagementCheckValues(EngagementChecks checks, Action<string, string, string, string, double> add)
    {
        add("zph", "", "", "tested", checks.ProportionalHazards is null ? 0 : 1);
        if (checks.ProportionalHazards is { } zph)
        {
            foreach (var term in zph.Terms.Append(zph.Global))
            {
                add("zph", "", term.Name, "chisq", term.ChiSquare);
                add("zph", "", term.Name, "df", term.DegreesOfFreedom);
                add("zph", "", term.Name, "p", term.P);
            }
        }

        if (checks.Absolute is { } a)
        {
            var horizon = $"day={EvaluateProgramme.RmstHorizon}";
            add("rmst", "engaged=1", horizon, "rmst", a.Engaged.Mean);
            add("rmst", "engaged=1", horizon, "se", a.Engaged.StdErr);
            add("rmst", "engaged=0", horizon, "rmst", a.NotEngaged.Mean);
            add("rmst", "engaged=0", horizon, "se", a.NotEngaged.StdErr);
            Difference("rmst", horizon, a.RmstDifference);
            add("rmst", "", horizon, "p", a.RmstDifference.P);
            foreach (var r in a.Risks)
            {
                var day = $"day={r.Day}";
                add("riskdiff", "engaged=1", day, "risk", r.RiskA);
                add("riskdiff", "engaged=0", day, "risk", r.RiskB);
                Difference("riskdiff", day, r.Difference);
            }
        }

        foreach (var i in checks.Interactions)
        {
            add("interaction", i.Column, "", "tested", i.Tested ? 1 : 0);
            if (i.Tested)
            {
                add("interaction", i.Column, "", "lr", i.LikelihoodRatio);
                add("interaction", i.Column, "", "df", i.DegreesOfFreedom);
                add("interaction", i.Column, "", "p", i.P);
            }
        }

        if (checks.EValue is { } e)
        {
            add("evalue", "", Terms.Engaged, "rare", e.Rare ? 1 : 0);
            add("evalue", "", Terms.Engaged, "rr", e.RiskRatio);
            add("evalue", "", Terms.Engaged, "evalue", e.Estimate);
            add("evalue", "", Terms.Engaged, "evalue_ci", e.Interval);
        }

        void Difference(string analysis, string term, EstimateDifference d)
        {
            add(analysis, "", term, "difference", d.Estimate);
            add(analysis, "", term, "se", d.StdErr);
            add(analysis, "", term, "lower", d.Lower);
            add(analysis, "", term, "upper", d.Upper);
        }
    }

    /// <summary>The days at which cumulative incidence is tabulated, as in the report.</summary>
    public static readonly int[] IncidenceDays = [30, 90, 365];

    /// <summary>
    /// Competing risks (cif_engagement: cumulative incidence by engagement, as cmprsk's cuminc and
    /// timepoints give it; finegray_adjusted: the Fine–Gray model, as crr gives it). Nothing when they
    /// are not estimated (no competing event, mortality not linked).
    /// </summary>
    private static void CompetingRiskValues(OutcomeResult o, List<ResultModel> models, Action<string, string, string, string, double> add)
    {
        if (o.CompetingRisks is not { OnlyKaplanMeier: null } cr)
        {
            return;
        }

        foreach (var g in cr.ByEngagement)
        {
            var subset = g.Group == "Engaged" ? "engaged=1" : "engaged=0";
            add("cif_engagement", subset, "", "n", g.Incidence.Count);
            add("cif_engagement", subset, "", "events", g.Incidence.Events);
            add("cif_engagement", subset, "", "competing", g.Incidence.CompetingEvents);
            foreach (var day in IncidenceDays)
            {
                if (g.Incidence.At(day) is { } at)
                {
                    var term = $"day={day}";
                    add("cif_engagement", subset, term, "incidence", at.Estimate);
                    add("cif_engagement", subset, term, "variance", at.Variance);
                    add("cif_engagement", subset, term, "lower", at.Lower);
                    add("cif_engagement", subset, term, "upper", at.Upper);
                }
            }
        }

        if (cr.Adjusted is not { } fit)
        {
            return;
        }

        const string analysis = "finegray_adjusted";
        models.Add(new ResultModel(o.Outcome.Key, analysis, "", cr.References, fit.Count, fit.Events, fit.Converged, fit.Iterations, fit.NotEstimable));
        add(analysis, "", "", "n", fit.Count);
        add(analysis, "", "", "events", fit.Events);
        add(analysis, "", "", "competing", fit.CompetingEvents);
        add(analysis, "", "", "converged", fit.Converged ? 1 : 0);
        add(analysis, "", "", "loglik_null", fit.LogLikelihoodNull);
        add(analysis, "", "", "loglik", fit.LogLikelihood);
        foreach (var c in fit.Coefficients)
        {
            add(analysis, "", c.Name, "estimable", fit.WhyNotEstimable(c.Name) is null ? 1 : 0);
            add(analysis, "", c.Name, "beta", c.Beta);
            add(analysis, "", c.Name, "se", c.StdErr);
            add(analysis, "", c.Name, "hr", c.HazardRatio);
            add(analysis, "", c.Name, "lower", c.Lower);
            add(analysis, "", c.Name, "upper", c.Upper);
            add(analysis, "", c.Name, "z", c.Z);
            add(analysis, "", c.Name, "p", c.P);
        }

        foreach (var t in fit.NotEstimable)
        {
            add(analysis, "", t.Name, "estimable", 0);
        }
    }

    public async Task WriteJsonAsync(Stream stream, CancellationToken ct = default) => await JsonSerializer.SerializeAsync(stream, this, Json, ct);

    /// <summary>The values as a long CSV; a value that does not exist (a median not reached) is NA, as R writes it.</summary>
    public async Task WriteCsvAsync(TextWriter writer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteLineAsync(string.Join(',', CsvColumns));
        foreach (var v in Values)
        {
            ct.ThrowIfCancellationRequested();
            var value = double.IsFinite(v.Value) ? v.Value.ToString("R", CultureInfo.InvariantCulture) : double.IsNaN(v.Value) ? "NA" : v.Value > 0 ? "Inf" : "-Inf";
            await writer.WriteLineAsync($"{Csv.Text(v.Outcome)},{Csv.Text(v.Analysis)},{Csv.Text(v.Subset)},{Csv.Text(v.Term)},{Csv.Text(v.Statistic)},{value}");
        }
    }
}
