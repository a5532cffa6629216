using Aftercare.Statistics;

namespace Aftercare.App.Evaluation;

/// <summary>A time-to-event outcome measured from the landmark.</summary>
public sealed record OutcomeDefinition(string Key, string Title, Func<CohortRow, int> Days, Func<CohortRow, bool> Happened);

/// <summary>One group's Kaplan–Meier curve.</summary>
public sealed record GroupCurve(string Group, KaplanMeierCurve Curve);

/// <summary>The adjusted comparison of engaged with not engaged inside one stratum (an age band, a history).</summary>
public sealed record StratumResult(string Stratifier, string Level, int Count, int Events, CoxCoefficient? Engaged);

/// <summary>Everything the report shows for one outcome.</summary>
public sealed record OutcomeResult(
    OutcomeDefinition Outcome,
    IReadOnlyList<GroupCurve> ByEngagement,
    LogRankTest EngagementLogRank,
    CoxFit EngagementCrude,
    CoxFit EngagementAdjusted,
    IReadOnlyList<string> EngagementReferences,
    IReadOnlyList<GroupCurve> ByPathway,
    LogRankTest PathwayLogRank,
    CoxFit PathwayAdjusted,
    IReadOnlyList<string> PathwayReferences,
    IReadOnlyList<StratumResult> Strata);

public sealed record EvaluationResult(int Count, int Engaged, bool MortalityLinked, IReadOnlyList<string> Pathways, IReadOnlyList<OutcomeResult> Outcomes);

/// <summary>
/// The programme evaluation (issue #7): time to repeat presentation and to death after the
/// landmark, engaged versus not engaged and by pathway: Kaplan–Meier, log-rank, and Cox models
/// adjusted for age band, sex and prior psychiatric history, overall and within strata. All
/// results compare groups; none is a prediction for a person (docs/domain.md rule 1).
/// </summary>
public static class EvaluateProgramme
{
    public static OutcomeDefinition Repeat { get; } = new("repeat", "Repeat presentation", r => r.DaysToRepeat, r => r.Repeat);

    public static OutcomeDefinition DeathSuicide { get; } = new("death_suicide", "Death by suicide (including undetermined intent)", r => r.DaysToDeath!.Value, r => r.DeathSuicide!.Value);

    public static OutcomeDefinition DeathAny { get; } = new("death_any", "Death from any cause", r => r.DaysToDeath!.Value, r => r.DeathAny!.Value);

    public static EvaluationResult Run(IReadOnlyList<CohortRow> rows, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var linked = rows.Count > 0 && rows[0].MortalityLinked;
        var outcomes = linked ? new[] { Repeat, DeathSuicide, DeathAny } : [Repeat];
        var pathways = rows.GroupBy(r => r.Pathway).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToList();
        var results = new OutcomeResult[outcomes.Length];
        // Outcomes are independent: one per core.
        Parallel.For(0, outcomes.Length, i =>
        {
            progress?.Report($"Analysing: {outcomes[i].Title.ToLowerInvariant()}");
            results[i] = Analyse(rows, outcomes[i], pathways);
        });
        return new EvaluationResult(rows.Count, rows.Count(r => r.Engaged), linked, pathways, results);
    }

    private static OutcomeResult Analyse(IReadOnlyList<CohortRow> rows, OutcomeDefinition outcome, List<string> pathways)
    {
        var time = new double[rows.Count];
        var happened = new bool[rows.Count];
        var engagedGroup = new int[rows.Count];
        var pathwayGroup = new int[rows.Count];
        var pathwayIndex = pathways.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            time[i] = outcome.Days(rows[i]);
            happened[i] = outcome.Happened(rows[i]);
            engagedGroup[i] = rows[i].Engaged ? 1 : 0;
            pathwayGroup[i] = pathwayIndex[rows[i].Pathway];
        }

        var byEngagement = Curves(time, happened, engagedGroup, ["Not engaged", "Engaged"]);
        var byPathway = Curves(time, happened, pathwayGroup, pathways);
        var engagedLogRank = LogRank.Test(time, happened, engagedGroup, 2);
        var pathwayLogRank = LogRank.Test(time, happened, pathwayGroup, pathways.Count);

        var all = Enumerable.Range(0, rows.Count).ToArray();
        var crude = FitCox(rows, all, time, happened, Exposure.Engagement, adjust: false, out _);
        var adjusted = FitCox(rows, all, time, happened, Exposure.Engagement, adjust: true, out var references);
        var byPathwayCox = FitCox(rows, all, time, happened, Exposure.Pathway, adjust: true, out var pathwayReferences);

        var strata = new List<StratumResult>();
        foreach (var (stratifier, levels, level) in new (string, IReadOnlyList<string>, Func<CohortRow, string>)[]
                 {
                     ("Age band", CohortCategories.AgeBands.Order(StringComparer.Ordinal).ToList(), r => r.AgeBand),
                     ("Prior psychiatric history", CohortCategories.PsychHistory, r => r.PriorPsychHistory),
                 })
        {
            foreach (var value in levels)
            {
                var subset = all.Where(i => level(rows[i]) == value).ToArray();
                if (subset.Length == 0)
                {
                    continue;
                }

                var fit = FitCox(rows, subset, time, happened, Exposure.Engagement, adjust: true, out _);
                // With no events in one of the two groups the estimate runs off to zero or infinity
                // (monotone likelihood): it is not estimable, whatever the iterations stopped at.
                var bothHadEvents = subset.Any(i => rows[i].Engaged && happened[i]) && subset.Any(i => !rows[i].Engaged && happened[i]);
                strata.Add(new StratumResult(stratifier, value, subset.Length, fit.Events, bothHadEvents ? fit["Engaged"] : null));
            }
        }

        return new OutcomeResult(outcome, byEngagement, engagedLogRank, crude, adjusted, references, byPathway, pathwayLogRank, byPathwayCox, pathwayReferences, strata);
    }

    private static List<GroupCurve> Curves(double[] time, bool[] happened, int[] group, List<string> names)
    {
        var curves = new List<GroupCurve>();
        for (var g = 0; g < names.Count; g++)
        {
            var members = Enumerable.Range(0, time.Length).Where(i => group[i] == g).ToArray();
            if (members.Length > 0)
            {
                curves.Add(new GroupCurve(names[g], KaplanMeier.Estimate(members.Select(i => time[i]).ToArray(), members.Select(i => happened[i]).ToArray())));
            }
        }

        return curves;
    }

    private enum Exposure
    {
        Engagement,
        Pathway,
    }

    /// <summary>
    /// A Cox model on the given rows: the exposure, and (adjusted) dummy-coded age band, sex and
    /// prior psychiatric history. Each factor's reference is its most common level in these rows,
    /// so no reference is ever empty.
    /// </summary>
    private static CoxFit FitCox(IReadOnlyList<CohortRow> rows, int[] subset, double[] time, bool[] happened, Exposure exposure, bool adjust, out IReadOnlyList<string> references)
    {
        var factors = new List<(string Name, Func<CohortRow, string> Level, Func<string, string> Label)>();
        if (exposure == Exposure.Pathway)
        {
            factors.Add(("Pathway", r => r.Pathway, l => l));
        }

        if (adjust)
        {
            factors.Add(("Age", r => r.AgeBand, CohortCategories.Describe));
            factors.Add(("Sex", r => r.Sex, l => l));
            factors.Add(("Prior psychiatric history", r => r.PriorPsychHistory, l => l));
        }

        var columns = new List<(string Name, Func<CohortRow, bool> Is)>();
        if (exposure == Exposure.Engagement)
        {
            columns.Add(("Engaged", r => r.Engaged));
        }

        var refs = new List<string>();
        foreach (var (name, level, label) in factors)
        {
            var counts = subset.GroupBy(i => level(rows[i])).Select(g => (g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
            refs.Add($"{name}: {label(counts[0].Key)}");
            foreach (var (value, _) in counts.Skip(1).OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                columns.Add(($"{name}: {label(value)}", r => level(r) == value));
            }
        }

        references = refs;
        var p = columns.Count;
        var x = new double[subset.Length * p];
        var t = new double[subset.Length];
        var d = new bool[subset.Length];
        for (var k = 0; k < subset.Length; k++)
        {
            var row = rows[subset[k]];
            t[k] = time[subset[k]];
            d[k] = happened[subset[k]];
            for (var j = 0; j < p; j++)
            {
                x[(k * p) + j] = columns[j].Is(row) ? 1 : 0;
            }
        }

        return CoxModel.Fit(t, d, x, [.. columns.Select(c => c.Name)]);
    }
}
