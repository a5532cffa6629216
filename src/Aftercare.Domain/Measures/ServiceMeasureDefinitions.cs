using Aftercare.Domain.Referrals;

namespace Aftercare.Domain.Measures;

/// <summary>One presentation in the period, as the measures see it: no names, no free text.</summary>
/// <param name="ArrivedOn">The local calendar day of arrival (the service's time zone).</param>
public sealed record MeasuredPresentation(Guid Id, Guid PersonId, DateTimeOffset ArrivedAt, DateOnly ArrivedOn, DateTimeOffset? AssessedAt);

/// <summary>A completed (not draft) safety plan of a person; <paramref name="CompletedOn"/> is the local day.</summary>
public sealed record MeasuredSafetyPlan(Guid PersonId, DateTimeOffset CompletedAt, DateOnly CompletedOn);

/// <summary>An aftercare episode started from a presentation.</summary>
public sealed record MeasuredEpisode(Guid Id, Guid PresentationId, DateTimeOffset DischargedAt);

/// <summary>An aftercare contact that reached the person.</summary>
public sealed record MeasuredContact(Guid EpisodeId, DateTimeOffset CompletedAt);

/// <summary>A warm-handoff referral sent in the period.</summary>
public sealed record MeasuredReferral(Guid PersonId, ReferralStatus Status);

/// <summary>A linked death; undetermined intent counts with suicide, as national statistics do.</summary>
public sealed record MeasuredDeath(Guid PersonId, DateOnly On, bool Suicide);

/// <summary>
/// Everything the measures need, as plain records: the presentations in the period (and their
/// parts of the breakdown), every arrival of the same people (before and after, for repetition),
/// their completed safety plans, episodes, reaching contacts, referrals sent in the period and
/// linked deaths.
/// </summary>
public sealed record MeasureCohort(
    IReadOnlyList<MeasuredPresentation> Presentations,
    IReadOnlyList<(Guid PersonId, DateTimeOffset ArrivedAt)> Arrivals,
    IReadOnlyList<MeasuredSafetyPlan> SafetyPlans,
    IReadOnlyList<MeasuredEpisode> Episodes,
    IReadOnlyList<MeasuredContact> ReachedContacts,
    IReadOnlyList<MeasuredReferral> Referrals,
    IReadOnlyList<MeasuredDeath> Deaths);

/// <summary>One measure's raw counts per part of the breakdown, before suppression.</summary>
/// <param name="IsRate">A numerator over a denominator; otherwise a plain count (the numerators).</param>
public sealed record MeasureCounts(string Key, string Name, string Group, string Explanation, bool IsRate, IReadOnlyList<int> Numerators, IReadOnlyList<int> Denominators);

/// <summary>
/// The measures services report (docs/domain.md; NICE QS34 and NG225), as pure functions of the
/// cohort: each is a numerator over a denominator per part. The App layer loads the rows and
/// applies <see cref="Suppression"/>; these functions do no I/O, so they are tested by hand.
/// </summary>
public static class ServiceMeasureDefinitions
{
    public const string Activity = "Presentations and people";
    public const string Care = "Care at the presentation";
    public const string Outcomes = "Repetition, engagement and mortality";

    /// <summary>
    /// Every measure, per part. <paramref name="partOf"/> gives a presentation's part (0 to
    /// <paramref name="partCount"/> − 1), or −1 for none. A person counts in the part of their first
    /// presentation in the period for the per-person measures (people, referrals, 12-month outcomes).
    /// </summary>
    public static IReadOnlyList<MeasureCounts> Count(MeasureCohort cohort, int partCount, Func<MeasuredPresentation, int> partOf)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        ArgumentNullException.ThrowIfNull(partOf);
        var rows = cohort.Presentations;
        var partOfRow = rows.Select(r => partOf(r) is var p && p >= 0 && p < partCount ? p : -1).ToArray();

        var arrivals = cohort.Arrivals.Concat(rows.Select(r => (r.PersonId, r.ArrivedAt))).Distinct()
            .GroupBy(a => a.PersonId).ToDictionary(g => g.Key, g => g.Select(a => a.ArrivedAt).Order().ToList());
        var episodeByPresentation = cohort.Episodes.GroupBy(e => e.PresentationId).ToDictionary(g => g.Key, g => g.First());
        var firstReached = cohort.ReachedContacts.GroupBy(c => c.EpisodeId).ToDictionary(g => g.Key, g => g.Min(c => c.CompletedAt));
        var plans = cohort.SafetyPlans.ToLookup(s => s.PersonId);
        var deaths = cohort.Deaths.GroupBy(d => d.PersonId).ToDictionary(g => g.Key, g => g.First());
        var firstPerPerson = rows.GroupBy(r => r.PersonId).Select(g => g.MinBy(r => r.ArrivedAt)!.Id).ToHashSet();

        bool Enrolled(MeasuredPresentation r) => episodeByPresentation.ContainsKey(r.Id);
        bool Reached(MeasuredPresentation r, TimeSpan within) => episodeByPresentation.TryGetValue(r.Id, out var e)
            && firstReached.TryGetValue(e.Id, out var first) && first - e.DischargedAt <= within;
        bool First(MeasuredPresentation r) => firstPerPerson.Contains(r.Id);
        bool Repeat(MeasuredPresentation r) => arrivals[r.PersonId].Any(at => at < r.ArrivedAt);
        bool CameBackWithinYear(MeasuredPresentation r) => arrivals[r.PersonId].Any(at => at > r.ArrivedAt && at <= r.ArrivedAt.AddDays(365));
        bool PlanSameDay(MeasuredPresentation r) => plans[r.PersonId].Any(s => s.CompletedAt >= r.ArrivedAt && s.CompletedOn == r.ArrivedOn);
        bool Died(MeasuredPresentation r, bool suicideOnly)
        {
            var arrived = DateOnly.FromDateTime(r.ArrivedAt.UtcDateTime);
            return deaths.TryGetValue(r.PersonId, out var d) && d.On >= arrived && d.On <= arrived.AddDays(365) && (!suicideOnly || d.Suicide);
        }

        MeasureCounts Measure(string key, string name, string group, string explanation, Func<MeasuredPresentation, bool> counted, Func<MeasuredPresentation, bool>? inDenominator = null, bool isRate = true)
        {
            var denominators = new int[partCount];
            var numerators = new int[partCount];
            for (var i = 0; i < rows.Count; i++)
            {
                var part = partOfRow[i];
                if (part < 0 || !(inDenominator?.Invoke(rows[i]) ?? true))
                {
                    continue;
                }

                denominators[part]++;
                if (counted(rows[i]))
                {
                    numerators[part]++;
                }
            }

            return new MeasureCounts(key, name, group, explanation, isRate, numerators, denominators);
        }

        // A referral belongs to the part of its person's first presentation in the period.
        var firstPartByPerson = new Dictionary<Guid, int>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (partOfRow[i] >= 0 && First(rows[i]))
            {
                firstPartByPerson[rows[i].PersonId] = partOfRow[i];
            }
        }

        var referralsSent = new int[partCount];
        var referralsClosed = new int[partCount];
        foreach (var referral in cohort.Referrals)
        {
            if (firstPartByPerson.TryGetValue(referral.PersonId, out var part))
            {
                referralsSent[part]++;
                if (referral.Status is ReferralStatus.Attended or ReferralStatus.Declined or ReferralStatus.NotReached)
                {
                    referralsClosed[part]++;
                }
            }
        }

        return
        [
            Measure("presentations", "Presentations", Activity, "Every presentation after self-harm in the period.", _ => true, isRate: false),
            Measure("people", "People", Activity, "Different people who presented (counted in the part of their first presentation in the period).", First, isRate: false),
            Measure("repeats", "Came back for help", Activity, "Presentations by someone who had presented before: help sought again.", Repeat),
            Measure("assessed", "Psychosocial assessment", Care, "Presentations with a psychosocial assessment recorded (NICE QS34).", r => r.AssessedAt is not null),
            Measure("assessed-4h", "Assessed within 4 hours of arrival", Care, "Of all presentations: assessment recorded within 4 hours of arrival.", r => r.AssessedAt is { } a && a - r.ArrivedAt <= TimeSpan.FromHours(4)),
            Measure("safety-plan", "Safety plan given the same day", Care, "Presentations where the person's safety plan was completed on the day they arrived.", PlanSameDay),
            Measure("first-48h", "First aftercare contact within 48 hours", Outcomes, "Of presentations enrolled in aftercare: the person reached within 48 hours of discharge.", r => Reached(r, TimeSpan.FromHours(48)), Enrolled),
            Measure("contact-7d", "In contact by 7 days", Outcomes, "Of presentations enrolled in aftercare: reached within 7 days of discharge.", r => Reached(r, TimeSpan.FromDays(7)), Enrolled),
            Measure("contact-30d", "In contact by 30 days", Outcomes, "Of presentations enrolled in aftercare: reached within 30 days of discharge.", r => Reached(r, TimeSpan.FromDays(30)), Enrolled),
            new MeasureCounts("referrals-closed", "Referrals with a known outcome", Outcomes, "Warm handoffs sent in the period whose loop is closed: attended, declined or not reached.", true, referralsClosed, referralsSent),
            Measure("repeat-12m", "Came back within 12 months", Outcomes, "Of people's first presentation in the period: another presentation within 12 months. Read it with engagement and mortality: a service that keeps people in contact may see more people come back.", CameBackWithinYear, First),
            Measure("died-12m", "Died within 12 months (any cause)", Outcomes, "Of people's first presentation in the period, where deaths are linked.", r => Died(r, suicideOnly: false), First),
            Measure("suicide-12m", "Died by suicide within 12 months", Outcomes, "Of people's first presentation in the period, where deaths are linked (suicide and undetermined intent, as is usual).", r => Died(r, suicideOnly: true), First),
        ];
    }
}
