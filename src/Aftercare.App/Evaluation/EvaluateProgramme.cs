using Aftercare.Statistics;

namespace Aftercare.App.Evaluation;

/// <summary>A time-to-event outcome measured from the landmark.</summary>
/// <param name="Competing">The event that prevents this one when it comes first (competing risks), or null when none does.</param>
public sealed record OutcomeDefinition(string Key, string Title, Func<CohortRow, int> Days, Func<CohortRow, bool> Happened, CompetingEvent? Competing = null);

/// <summary>An event that, when it comes first, prevents the outcome: its name for the report and who had it (false when unknown).</summary>
public sealed record CompetingEvent(string Title, Func<CohortRow, bool> Happened);

/// <summary>One group's cumulative incidence in the presence of the competing event.</summary>
public sealed record GroupIncidence(string Group, CumulativeIncidence Incidence);

/// <summary>
/// Competing risks for one outcome: Aalen–Johansen cumulative incidence by engagement and the adjusted
/// Fine–Gray model, or, when they cannot be given, why (<paramref name="OnlyKaplanMeier"/>).
/// </summary>
/// <param name="References">The adjusted model's reference levels (the adjusted Cox model's).</param>
public sealed record CompetingRiskResult(CompetingEvent Competing, string? OnlyKaplanMeier, IReadOnlyList<GroupIncidence> ByEngagement, FineGrayFit? Adjusted, IReadOnlyList<string> References)
{
    public const string MortalityNotLinked = "mortality data are not linked, so who died before the event is not known";
    public const string NoCompetingEvents = "nobody in the cohort had a competing event";
}

/// <summary>One group's Kaplan–Meier curve.</summary>
public sealed record GroupCurve(string Group, KaplanMeierCurve Curve);

/// <summary>The adjusted comparison of engaged with not engaged inside one stratum (an age band, a history).</summary>
/// <param name="Engaged">The estimate, or null when it is not estimable, with <paramref name="NotEstimable"/> saying why.</param>
/// <param name="Fit">The whole model fitted in the stratum, for the results file.</param>
public sealed record StratumResult(string Stratifier, string Level, int Count, int Events, CoxCoefficient? Engaged, string? NotEstimable, CoxFit Fit);

/// <summary>How model terms are named: by the cohort file's column and value, and in words for the report.</summary>
public static class Terms
{
    public const string Engaged = "engaged";

    public static string Code(string column, string value) => $"{column}={value}";

    /// <summary>The term a model column belongs to: "age_band=18-24" → "age_band"; "engaged" → "engaged".</summary>
    public static string Column(string code) => code.IndexOf('=', StringComparison.Ordinal) is var at and >= 0 ? code[..at] : code;

    /// <summary>Whether a row has a model term's value (<c>engaged</c>, <c>sex=male</c>): its column in the design matrix.</summary>
    public static bool Has(CohortRow row, string code)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (code == Engaged)
        {
            return row.Engaged;
        }

        var (column, value) = code.IndexOf('=', StringComparison.Ordinal) is var at and >= 0 ? (code[..at], code[(at + 1)..]) : (code, "");
        return column switch
        {
            "age_band" => row.AgeBand == value,
            "sex" => row.Sex == value,
            "prior_psych_history" => row.PriorPsychHistory == value,
            "pathway" => row.Pathway == value,
            _ => throw new ArgumentException($"{code} is not a model term.", nameof(code)),
        };
    }

    /// <summary>"age_band=0-17" → "Age: under 18"; a reference level reads the same way.</summary>
    public static string Label(string code)
    {
        if (code == Engaged)
        {
            return "Engaged";
        }

        var (column, value) = code.IndexOf('=', StringComparison.Ordinal) is var at and >= 0 ? (code[..at], code[(at + 1)..]) : (code, "");
        return column switch
        {
            "age_band" => $"Age: {CohortCategories.Describe(value)}",
            "sex" => $"Sex: {value}",
            "prior_psych_history" => $"Prior psychiatric history: {value}",
            "pathway" => $"Pathway: {value}",
            _ => code,
        };
    }
}

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
    IReadOnlyList<StratumResult> Strata,
    EngagementChecks Checks,
    CompetingRiskResult? CompetingRisks = null);

/// <summary>
/// What a reviewer asks beside the adjusted engagement hazard ratio (issue 15): whether the hazard
/// ratio holds over follow-up (proportional hazards, as R's cox.zph); absolute effects of engagement
/// (restricted mean survival time to 365 days, risk differences at 30, 90 and 365 days); the E-value.
/// </summary>
/// <param name="ProportionalHazards">
/// Null when a term of the adjusted model is not estimable (other than one set aside, as R's NA), or it
/// estimated nothing: an estimate running to infinity leaves nothing to test (R's cox.zph stops on a singular matrix).
/// </param>
/// <param name="Absolute">Null unless both engaged and not engaged people are in the cohort.</param>
/// <param name="EValue">Null when the adjusted engagement hazard ratio is not estimable.</param>
/// <param name="Interactions">Engagement × age band and engagement × prior psychiatric history.</param>
public sealed record EngagementChecks(ProportionalHazardsTest? ProportionalHazards, AbsoluteEngagementEffects? Absolute, EValueResult? EValue, IReadOnlyList<InteractionTest> Interactions);

/// <summary>
/// Does engagement's effect differ across a factor's levels? The adjusted model with engagement replaced by
/// one engagement column per level (engaged:age_band=18-24, …; the same likelihood as engaged + engaged ×
/// level, with each level's engagement hazard ratio read straight off), against the adjusted model, by the
/// likelihood-ratio test (R: <c>anova(fit0, fit1)</c>).
/// </summary>
/// <param name="Column">The factor's column: age_band or prior_psych_history.</param>
/// <param name="Tested">False when a term of either model is not estimable: then there is no test to read.</param>
public sealed record InteractionTest(string Column, CoxFit Fit, IReadOnlyList<string> References, bool Tested, double LikelihoodRatio, int DegreesOfFreedom, double P)
{
    /// <summary>The name of the engagement column for one level: "engaged:age_band=18-24".</summary>
    public static string Term(string column, string level) => $"{Terms.Engaged}:{Terms.Code(column, level)}";
}

/// <summary>Engaged compared with not engaged in days and in risks, from the two Kaplan–Meier curves.</summary>
/// <param name="RmstDifference">Engaged minus not engaged, in days without the event over the first <see cref="EvaluateProgramme.RmstHorizon"/>.</param>
/// <param name="Risks">Engaged minus not engaged, at each of <see cref="EvaluateProgramme.RiskDays"/> that both curves reach.</param>
public sealed record AbsoluteEngagementEffects(RestrictedMean Engaged, RestrictedMean NotEngaged, EstimateDifference RmstDifference, IReadOnlyList<RiskDifference> Risks);

/// <summary>
/// Every repeat presentation, not only the first (issue 15): the Andersen–Gill model, adjusted as the Cox model
/// of the first repeat is, on counting-process intervals per person with robust variance clustered by person,
/// and the crude rates by engagement; or, when it cannot be given, why (<paramref name="NotAnalysed"/>).
/// </summary>
/// <param name="Adjusted">Its hazard ratios are rate ratios of repeat presentations among people in follow-up.</param>
/// <param name="References">The reference levels: those of the adjusted Cox model (the most common among the people).</param>
public sealed record RecurrentResult(string? NotAnalysed, CoxFit? Adjusted, IReadOnlyList<string> References, IReadOnlyList<RecurrentRate> Rates)
{
    public const string NoDetail = "the cohort file has no repeat_days and days_followed columns (it was written before every repeat presentation was exported): export the cohort again";
}

/// <summary>Repeat presentations in one group and its follow-up, crude (not adjusted).</summary>
public sealed record RecurrentRate(string Group, int People, int Repeats, long DaysFollowed)
{
    /// <summary>Repeat presentations per 100 person-years of follow-up (a year is 365.25 days).</summary>
    public double PerHundredPersonYears => DaysFollowed == 0 ? double.NaN : 100.0 * Repeats / (DaysFollowed / 365.25);
}

/// <summary>
/// The landmark varied (issue 15): the adjusted engagement model of every outcome refitted with engagement and the
/// start of follow-up at each landmark in <see cref="EvaluateProgramme.Landmarks"/> from the cohort's own on; or why not.
/// </summary>
public sealed record LandmarkSensitivity(string? NotAnalysed, IReadOnlyList<LandmarkFit> Fits)
{
    public const string NoDetail = "the cohort file has no landmark_days and days_to_contact columns (it was written before they were exported): export the cohort again";
}

/// <summary>One outcome's adjusted model at one landmark: engaged means reached within <paramref name="LandmarkDays"/> days; follow-up starts then.</summary>
public sealed record LandmarkFit(int LandmarkDays, string Outcome, int Count, int Engaged, CoxFit Adjusted, IReadOnlyList<string> References);

public sealed record EvaluationResult(int Count, int Engaged, bool MortalityLinked, IReadOnlyList<string> Pathways, IReadOnlyList<OutcomeResult> Outcomes,
    RecurrentResult? Recurrent = null, LandmarkSensitivity? Landmarks = null);

/// <summary>
/// The programme evaluation (issue #7): time to repeat presentation and to death after the
/// landmark, engaged versus not engaged and by pathway: Kaplan–Meier, log-rank, and Cox models
/// adjusted for age band, sex and prior psychiatric history, overall and within strata. All
/// results compare groups; none is a prediction for a person (docs/domain.md rule 1).
/// </summary>
public static class EvaluateProgramme
{
    /// <summary>Death (any cause) before a repeat presentation prevents it: time to repeat is censored there, and it competes.</summary>
    public static OutcomeDefinition Repeat { get; } = new("repeat", "Repeat presentation", r => r.DaysToRepeat, r => r.Repeat,
        new("death before a repeat presentation", r => !r.Repeat && r.DeathAny == true && r.DaysToDeath <= r.DaysToRepeat));

    /// <summary>Deaths from other causes prevent a death by suicide.</summary>
    public static OutcomeDefinition DeathSuicide { get; } = new("death_suicide", "Death by suicide (including undetermined intent)", r => r.DaysToDeath!.Value, r => r.DeathSuicide!.Value,
        new("death from another cause", r => r.DeathAny == true && r.DeathSuicide != true));

    public static OutcomeDefinition DeathAny { get; } = new("death_any", "Death from any cause", r => r.DaysToDeath!.Value, r => r.DeathAny!.Value);

    public static EvaluationResult Run(IReadOnlyList<CohortRow> rows, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var linked = rows.Count > 0 && rows[0].MortalityLinked;
        var outcomes = linked ? new[] { Repeat, DeathSuicide, DeathAny } : [Repeat];
        var pathways = rows.GroupBy(r => r.Pathway).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToList();
        var results = new OutcomeResult[outcomes.Length];
        RecurrentResult? recurrent = null;
        LandmarkSensitivity? landmarks = null;
        // Outcomes (and the analyses beside them) are independent: one per core.
        Parallel.For(0, outcomes.Length + 2, i =>
        {
            if (i < outcomes.Length)
            {
                progress?.Report($"Analysing: {outcomes[i].Title.ToLowerInvariant()}");
                results[i] = Analyse(rows, outcomes[i], pathways);
            }
            else if (i == outcomes.Length)
            {
                progress?.Report("Analysing: all repeat presentations");
                recurrent = RecurrentOf(rows);
            }
            else
            {
                progress?.Report("Analysing: the landmark varied");
                landmarks = LandmarksOf(rows, outcomes);
            }
        });
        return new EvaluationResult(rows.Count, rows.Count(r => r.Engaged), linked, pathways, results, recurrent, landmarks);
    }

    /// <summary>The landmarks tried, in days from the index presentation: the cohort's own and those of these that are later.</summary>
    public static readonly int[] Landmarks = [7, 14, 28, 56];

    /// <summary>
    /// All repeats: per person the intervals (0, r₁], (r₁, r₂], …, (r_k, end] (the last only when follow-up goes on after
    /// the last repeat), each ending in a repeat but the last; the adjusted model's terms and references from the people.
    /// </summary>
    private static RecurrentResult RecurrentOf(IReadOnlyList<CohortRow> rows)
    {
        if (rows.Count == 0)
        {
            return new RecurrentResult("nobody is in the cohort", null, [], []);
        }

        var all = Enumerable.Range(0, rows.Count).ToArray();
        var person = Design(rows, all, new double[rows.Count], new bool[rows.Count], Exposure.Engagement, adjust: true);
        if (rows.Any(r => r.FollowUp is null))
        {
            return new RecurrentResult(RecurrentResult.NoDetail, null, person.References, []);
        }

        var p = person.Names.Length;
        var intervals = rows.Sum(r => r.FollowUp!.RepeatDays.Count + (r.FollowUp.RepeatDays.Count == 0 || r.FollowUp.RepeatDays[^1] < r.FollowUp.DaysFollowed ? 1 : 0));
        var start = new double[intervals];
        var stop = new double[intervals];
        var happened = new bool[intervals];
        var cluster = new int[intervals];
        var x = new double[intervals * p];
        var rates = new (int People, int Repeats, long Days)[2];
        var k = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var f = rows[i].FollowUp!;
            var g = rows[i].Engaged ? 1 : 0;
            rates[g] = (rates[g].People + 1, rates[g].Repeats + f.RepeatDays.Count, rates[g].Days + f.DaysFollowed);
            var previous = 0;
            for (var j = 0; j <= f.RepeatDays.Count; j++)
            {
                var end = j < f.RepeatDays.Count ? f.RepeatDays[j] : f.DaysFollowed;
                if (end <= previous)
                {
                    break;
                }

                start[k] = previous;
                stop[k] = end;
                happened[k] = j < f.RepeatDays.Count;
                cluster[k] = i;
                person.X.AsSpan(i * p, p).CopyTo(x.AsSpan(k * p, p));
                previous = end;
                k++;
            }
        }

        var fit = CoxModel.FitCountingProcess(start, stop, happened, x, person.Names, cluster);
        RecurrentRate[] byGroup = [new("Not engaged", rates[0].People, rates[0].Repeats, rates[0].Days), new("Engaged", rates[1].People, rates[1].Repeats, rates[1].Days)];
        return new RecurrentResult(null, fit, person.References, [.. byGroup.Where(r => r.People > 0)]);
    }

    /// <summary>
    /// The cohort as it would be at a later landmark, from the cohort's own: people whose follow-up, or a repeat
    /// presentation, ended before it are left out; engaged means reached by then; times count from it. Follow-up ends
    /// where it does in the main analysis, so a later landmark has a shorter follow-up.
    /// </summary>
    private static LandmarkSensitivity LandmarksOf(IReadOnlyList<CohortRow> rows, OutcomeDefinition[] outcomes)
    {
        if (rows.Count == 0 || rows.Any(r => r.FollowUp is null))
        {
            return new LandmarkSensitivity(LandmarkSensitivity.NoDetail, []);
        }

        var own = rows[0].FollowUp!.LandmarkDays;
        var fits = new List<LandmarkFit>();
        foreach (var landmark in Landmarks.Where(l => l > own).Prepend(own))
        {
            var shift = landmark - own;
            var kept = new List<CohortRow>();
            foreach (var r in rows)
            {
                var f = r.FollowUp!;
                if (f.DaysFollowed <= shift || (r.Repeat && r.DaysToRepeat <= shift) || (r.DeathAny == true && r.DaysToDeath <= shift))
                {
                    continue;
                }

                kept.Add(shift == 0 ? r : r with
                {
                    Engaged = f.DaysToContact <= landmark,
                    DaysToRepeat = r.DaysToRepeat - shift,
                    DaysToDeath = r.DaysToDeath - shift,
                    FollowUp = f with
                    {
                        DaysFollowed = f.DaysFollowed - shift,
                        RepeatDays = f.RepeatDays.Count == 0 ? f.RepeatDays : [.. f.RepeatDays.Select(d => d - shift)],
                        LandmarkDays = landmark,
                    },
                });
            }

            if (kept.Count == 0)
            {
                continue;
            }

            var subset = Enumerable.Range(0, kept.Count).ToArray();
            foreach (var outcome in outcomes)
            {
                var time = kept.Select(r => (double)outcome.Days(r)).ToArray();
                var happened = kept.Select(outcome.Happened).ToArray();
                var fit = FitCox(kept, subset, time, happened, Exposure.Engagement, adjust: true, out var references);
                fits.Add(new LandmarkFit(landmark, outcome.Key, kept.Count, kept.Count(r => r.Engaged), fit, references));
            }
        }

        return new LandmarkSensitivity(null, fits);
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
                var why = fit.WhyNotEstimable(Terms.Engaged);
                strata.Add(new StratumResult(stratifier, value, subset.Length, fit.Events, why is null ? fit[Terms.Engaged] : null, why, fit));
            }
        }

        var checks = new EngagementChecks(ProportionalHazardsOf(rows, all, time, happened, adjusted), AbsoluteOf(byEngagement), EValueOf(adjusted),
            [.. InteractionColumns.Select(column => InteractionOf(rows, all, time, happened, adjusted, references, column))]);
        var competing = CompetingRisksOf(rows, outcome, time, happened, adjusted, references);
        return new OutcomeResult(outcome, byEngagement, engagedLogRank, crude, adjusted, references, byPathway, pathwayLogRank, byPathwayCox, pathwayReferences, strata, checks, competing);
    }

    /// <summary>
    /// Cumulative incidence by engagement and the Fine–Gray model adjusted as the Cox model is, on its
    /// estimable terms (those the Cox model set aside carry no information here either), or null when
    /// nothing competes with the outcome (death from any cause).
    /// </summary>
    private static CompetingRiskResult? CompetingRisksOf(IReadOnlyList<CohortRow> rows, OutcomeDefinition outcome, double[] time, bool[] happened, CoxFit adjusted, IReadOnlyList<string> references)
    {
        if (outcome.Competing is not { } competing)
        {
            return null;
        }

        if (rows.Count == 0 || !rows[0].MortalityLinked)
        {
            return new CompetingRiskResult(competing, CompetingRiskResult.MortalityNotLinked, [], null, references);
        }

        var status = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            status[i] = happened[i] ? 1 : competing.Happened(rows[i]) ? 2 : 0;
        }

        if (!status.Contains(2))
        {
            return new CompetingRiskResult(competing, CompetingRiskResult.NoCompetingEvents, [], null, references);
        }

        var curves = new List<GroupIncidence>();
        foreach (var (name, engaged) in new[] { ("Not engaged", false), ("Engaged", true) })
        {
            var members = Enumerable.Range(0, rows.Count).Where(i => rows[i].Engaged == engaged).ToArray();
            if (members.Length > 0)
            {
                curves.Add(new GroupIncidence(name, CompetingRisks.CumulativeIncidence(members.Select(i => time[i]).ToArray(), members.Select(i => status[i]).ToArray())));
            }
        }

        var terms = adjusted.Coefficients.Select(c => c.Name).ToList();
        var x = new double[rows.Count * terms.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            for (var j = 0; j < terms.Count; j++)
            {
                x[(i * terms.Count) + j] = Terms.Has(rows[i], terms[j]) ? 1 : 0;
            }
        }

        return new CompetingRiskResult(competing, null, curves, CompetingRisks.FineGray(time, status, x, terms), references);
    }

    /// <summary>The horizon of the restricted mean survival time, in days.</summary>
    public const int RmstHorizon = 365;

    /// <summary>The days at which risks are compared.</summary>
    public static readonly int[] RiskDays = [30, 90, 365];

    /// <summary>The factors whose interaction with engagement is tested.</summary>
    private static readonly string[] InteractionColumns = ["age_band", "prior_psych_history"];

    private static AbsoluteEngagementEffects? AbsoluteOf(List<GroupCurve> byEngagement)
    {
        if (byEngagement.FirstOrDefault(c => c.Group == "Engaged")?.Curve is not { } engaged || byEngagement.FirstOrDefault(c => c.Group == "Not engaged")?.Curve is not { } notEngaged)
        {
            return null;
        }

        var a = AbsoluteEffects.RestrictedMean(engaged, RmstHorizon);
        var b = AbsoluteEffects.RestrictedMean(notEngaged, RmstHorizon);
        var risks = RiskDays.Select(day => AbsoluteEffects.Risk(engaged, notEngaged, day)).OfType<RiskDifference>().ToList();
        return new AbsoluteEngagementEffects(a, b, EstimateDifference.Of(a.Mean, a.StdErr, b.Mean, b.StdErr), risks);
    }

    /// <summary>The E-value of the adjusted engagement hazard ratio; the outcome is common when 15% or more of the people in the model had it.</summary>
    private static EValueResult? EValueOf(CoxFit adjusted)
    {
        if (adjusted.WhyNotEstimable(Terms.Engaged) is not null || adjusted[Terms.Engaged] is not { } c)
        {
            return null;
        }

        var rare = adjusted.Events < EValue.CommonFrom * adjusted.Count;
        return EValue.OfHazardRatio(c.HazardRatio, c.Lower, c.Upper, rare);
    }

    private static InteractionTest InteractionOf(IReadOnlyList<CohortRow> rows, int[] all, double[] time, bool[] happened, CoxFit adjusted, IReadOnlyList<string> references, string column)
    {
        var design = Design(rows, all, time, happened, Exposure.Engagement, adjust: true);
        Func<CohortRow, string> level = column == "age_band" ? r => r.AgeBand : r => r.PriorPsychHistory;
        var reference = references.First(r => Terms.Column(r) == column)[(column.Length + 1)..];
        var levels = all.Select(i => level(rows[i])).Distinct().Where(l => l != reference).Order(StringComparer.Ordinal).Prepend(reference).ToList();
        var kept = Enumerable.Range(0, design.Names.Length).Where(j => design.Names[j] != Terms.Engaged).ToArray();
        var p = kept.Length + levels.Count;
        var x = new double[all.Length * p];
        for (var i = 0; i < all.Length; i++)
        {
            var row = rows[all[i]];
            for (var k = 0; k < kept.Length; k++)
            {
                x[(i * p) + k] = design.X[(i * design.Names.Length) + kept[k]];
            }

            for (var l = 0; l < levels.Count; l++)
            {
                x[(i * p) + kept.Length + l] = row.Engaged && level(row) == levels[l] ? 1 : 0;
            }
        }

        string[] names = [.. kept.Select(k => design.Names[k]), .. levels.Select(l => InteractionTest.Term(column, l))];
        var fit = CoxModel.Fit(design.Time, design.Happened, x, names);
        bool Estimable(CoxFit f) => f.Converged && f.Coefficients.Count > 0 && f.Coefficients.All(c => f.WhyNotEstimable(c.Name) is null);
        var tested = Estimable(adjusted) && Estimable(fit);
        var lr = 2 * (fit.LogLikelihood - adjusted.LogLikelihood);
        var df = fit.DegreesOfFreedom - adjusted.DegreesOfFreedom;
        return new InteractionTest(column, fit, references, tested, lr, df, ChiSquare.UpperTail(lr, df));
    }

    /// <summary>cox.zph on the adjusted engagement model: per term (a factor's columns together) and global.</summary>
    private static ProportionalHazardsTest? ProportionalHazardsOf(IReadOnlyList<CohortRow> rows, int[] all, double[] time, bool[] happened, CoxFit adjusted)
    {
        if (adjusted.Coefficients.Count == 0 || adjusted.Coefficients.Any(c => adjusted.WhyNotEstimable(c.Name) is not null))
        {
            return null;
        }

        var design = Design(rows, all, time, happened, Exposure.Engagement, adjust: true);
        return ProportionalHazards.Test(design.Time, design.Happened, design.X, design.Names, adjusted, Terms.Column);
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
        var design = Design(rows, subset, time, happened, exposure, adjust);
        references = design.References;
        return CoxModel.Fit(design.Time, design.Happened, design.X, design.Names);
    }

    private sealed record CoxDesign(double[] Time, bool[] Happened, double[] X, string[] Names, IReadOnlyList<string> References);

    /// <summary>The rows, times, events and dummy-coded columns of <see cref="FitCox"/>'s model, for the methods that need them beside the fit.</summary>
    private static CoxDesign Design(IReadOnlyList<CohortRow> rows, int[] subset, double[] time, bool[] happened, Exposure exposure, bool adjust)
    {
        var factors = new List<(string Column, Func<CohortRow, string> Level)>();
        if (exposure == Exposure.Pathway)
        {
            factors.Add(("pathway", r => r.Pathway));
        }

        if (adjust)
        {
            factors.Add(("age_band", r => r.AgeBand));
            factors.Add(("sex", r => r.Sex));
            factors.Add(("prior_psych_history", r => r.PriorPsychHistory));
        }

        // Terms are named by the cohort file's columns and values ("age_band=18-24"), so the results
        // file and R's coefficients can be matched by name; the report turns them into words (Terms.Label).
        var columns = new List<(string Name, Func<CohortRow, bool> Is)>();
        if (exposure == Exposure.Engagement)
        {
            columns.Add((Terms.Engaged, r => r.Engaged));
        }

        var refs = new List<string>();
        foreach (var (column, level) in factors)
        {
            var counts = subset.GroupBy(i => level(rows[i])).Select(g => (g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
            refs.Add(Terms.Code(column, counts[0].Key));
            foreach (var (value, _) in counts.Skip(1).OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                columns.Add((Terms.Code(column, value), r => level(r) == value));
            }
        }

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

        return new CoxDesign(t, d, x, [.. columns.Select(c => c.Name)], refs);
    }
}
