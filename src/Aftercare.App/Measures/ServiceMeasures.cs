using Aftercare.App.Data;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Measures;
using Aftercare.Domain.People;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Measures;

/// <summary>Configuration: counts from 1 to SuppressBelow − 1 are never published.</summary>
public sealed record MeasuresOptions(int SuppressBelow = Suppression.DefaultThreshold);

/// <summary>The age bands measures are reported in.</summary>
public static class AgeBands
{
    public static IReadOnlyList<string> All { get; } = ["Under 18", "18 to 24", "25 to 44", "45 to 64", "65 and over"];

    public static string Of(int age) => age switch
    {
        < 18 => All[0],
        < 25 => All[1],
        < 45 => All[2],
        < 65 => All[3],
        _ => All[4],
    };
}

/// <summary>What the dashboard is filtered by; every filter is optional.</summary>
public sealed record MeasureFilter(DateOnly From, DateOnly To, Guid? SiteId = null, string? AgeBand = null, Sex? Sex = null, PriorPsychiatricHistory? History = null);

/// <summary>How the table is broken down.</summary>
public enum Breakdown
{
    Month,
    Site,
    AgeBand,
    Sex,
    History,
}

/// <summary>
/// The measures services report (DOMAIN.md), aggregates only, suppressed below the threshold. Each
/// measure is a numerator over a denominator per part of the breakdown; repetition is reported in
/// one group with engagement and mortality, never alone.
/// </summary>
public static class ServiceMeasures
{
    public sealed record Cell(Shown Numerator, Shown Denominator)
    {
        public double? Percent => Suppression.Rate(Numerator, Denominator);
    }

    public sealed record Measure(string Key, string Name, string Group, string Explanation, IReadOnlyList<Cell> Parts, Cell Total, bool IsRate);

    public sealed record Report(MeasureFilter Filter, Breakdown By, IReadOnlyList<string> Parts, IReadOnlyList<Measure> Measures, int Threshold, bool MortalityLinked);

    public const string Activity = "Presentations and people";
    public const string Care = "Care at the presentation";
    public const string Outcomes = "Repetition, engagement and mortality";

    private sealed record Row(Guid Id, Guid PersonId, DateTimeOffset ArrivedAt, Guid SiteId, DateTimeOffset? AssessedAt, DateOnly DateOfBirth, Sex Sex, PriorPsychiatricHistory History);

    public static async Task<Report> Compute(AftercareDbContext db, LocalTime time, MeasureFilter filter, Breakdown by, int threshold, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(filter);
        var from = time.FromLocal(filter.From.ToDateTime(TimeOnly.MinValue));
        var to = time.FromLocal(filter.To.AddDays(1).ToDateTime(TimeOnly.MinValue));

        // Only the columns the measures need, never free text.
        var query = db.Presentations.AsNoTracking().Where(p => p.ArrivedAt >= from && p.ArrivedAt < to);
        if (filter.SiteId is { } site)
        {
            query = query.Where(p => p.SiteId == site);
        }

        var rows = (await query.Join(db.People, p => p.PersonId, x => x.Id, (p, x) => new Row(p.Id, p.PersonId, p.ArrivedAt, p.SiteId, p.PsychosocialAssessmentAt, x.DateOfBirth, x.Sex, x.PriorPsychiatricHistory))
            .ToListAsync(ct))
            .Where(r => (filter.Sex is null || r.Sex == filter.Sex) && (filter.History is null || r.History == filter.History)
                && (filter.AgeBand is null || AgeBands.Of(Age(r, time)) == filter.AgeBand))
            .ToList();
        var ids = rows.Select(r => r.Id).ToHashSet();
        var people = rows.Select(r => r.PersonId).Distinct().ToList();

        // What happened next, for these people.
        var earlier = await db.Presentations.AsNoTracking().Where(p => people.Contains(p.PersonId)).Select(p => new { p.Id, p.PersonId, p.ArrivedAt }).ToListAsync(ct);
        var byPerson = earlier.GroupBy(p => p.PersonId).ToDictionary(g => g.Key, g => g.Select(p => p.ArrivedAt).Order().ToList());
        var plans = await db.SafetyPlans.AsNoTracking().Where(s => people.Contains(s.PersonId) && s.Status != DocumentStatus.Draft && s.CompletedAt != null)
            .Select(s => new { s.PersonId, s.CompletedAt }).ToListAsync(ct);
        var episodes = await db.Episodes.AsNoTracking().Where(e => ids.Contains(e.PresentationId)).Select(e => new { e.Id, e.PresentationId, e.DischargedAt }).ToListAsync(ct);
        var episodeIds = episodes.Select(e => e.Id).ToList();
        var reached = await db.Contacts.AsNoTracking().Where(c => episodeIds.Contains(c.EpisodeId) && c.Outcome == ContactOutcome.Reached && c.CompletedAt != null)
            .Select(c => new { c.EpisodeId, c.CompletedAt }).ToListAsync(ct);
        var referrals = await db.Referrals.AsNoTracking().Where(r => people.Contains(r.PersonId) && r.SentAt >= from && r.SentAt < to)
            .Select(r => new { r.PersonId, r.Status }).ToListAsync(ct);
        var deaths = await Deaths.For(db, people, ct);

        string PartOf(Row r) => by switch
        {
            Breakdown.Month => time.ToLocal(r.ArrivedAt).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
            Breakdown.Site => r.SiteId.ToString(),
            Breakdown.AgeBand => AgeBands.Of(Age(r, time)),
            Breakdown.Sex => r.Sex.ToString(),
            _ => r.History.ToString(),
        };

        var siteNames = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id.ToString(), s => s.Name, ct);
        var parts = by switch
        {
            Breakdown.Month => Months(filter.From, filter.To),
            Breakdown.AgeBand => [.. AgeBands.All],
            Breakdown.Sex => [.. Enum.GetValues<Sex>().Select(s => s.ToString())],
            Breakdown.History => [.. Enum.GetValues<PriorPsychiatricHistory>().Select(h => h.ToString())],
            _ => rows.Select(r => r.SiteId.ToString()).Distinct().OrderBy(s => siteNames.GetValueOrDefault(s, s)).ToList(),
        };

        // Each row's part once (-1 when outside the parts), and each lookup grouped once: every
        // measure is then one pass over the rows, not one per part, and no lookup scans a list.
        var partIndex = parts.Select((part, i) => (part, i)).ToDictionary(x => x.part, x => x.i, StringComparer.Ordinal);
        var partOfRow = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            partOfRow[i] = partIndex.GetValueOrDefault(PartOf(rows[i]), -1);
        }

        var episodeByPresentation = episodes.ToDictionary(e => e.PresentationId);
        var reachedByEpisode = reached.GroupBy(c => c.EpisodeId).ToDictionary(g => g.Key, g => g.Min(c => c.CompletedAt!.Value));
        var plansByPerson = plans.ToLookup(s => s.PersonId, s => s.CompletedAt!.Value);
        bool Reached(Row r, TimeSpan within) => episodeByPresentation.TryGetValue(r.Id, out var e) && reachedByEpisode.TryGetValue(e.Id, out var first) && first - e.DischargedAt <= within;
        bool Repeat(Row r) => byPerson[r.PersonId].Any(at => at < r.ArrivedAt);
        bool CameBackWithinYear(Row r) => byPerson[r.PersonId].Any(at => at > r.ArrivedAt && at <= r.ArrivedAt.AddDays(365));
        bool PlanSameDay(Row r) => plansByPerson[r.PersonId].Any(completed => completed >= r.ArrivedAt && time.ToLocal(completed).Date == time.ToLocal(r.ArrivedAt).Date);
        bool Died(Row r, bool suicideOnly) => deaths.TryGetValue(r.PersonId, out var d) && d!.On >= DateOnly.FromDateTime(r.ArrivedAt.UtcDateTime)
            && d.On <= DateOnly.FromDateTime(r.ArrivedAt.UtcDateTime.AddDays(365)) && (!suicideOnly || d.Suicide);

        Measure Rate(string key, string name, string group, string explanation, Func<Row, bool> counted, Func<Row, bool>? inDenominator = null, bool isRate = true)
        {
            var denominators = new int[parts.Count];
            var numerators = new int[parts.Count];
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

            if (!isRate)
            {
                var (counts, total) = Suppression.Breakdown(numerators, threshold);
                return new Measure(key, name, group, explanation, [.. counts.Select(c => new Cell(c, c))], new Cell(total, total), false);
            }

            var (cells, all) = Suppression.Pairs(numerators, denominators, threshold);
            return new Measure(key, name, group, explanation, [.. cells.Select(c => new Cell(c.Numerator, c.Denominator))], new Cell(all.Numerator, all.Denominator), true);
        }

        var firstPerPerson = rows.GroupBy(r => r.PersonId).Select(g => g.MinBy(r => r.ArrivedAt)!.Id).ToHashSet();
        // A referral belongs to the part of its person's first presentation in the period.
        var firstPartByPerson = new Dictionary<Guid, int>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (partOfRow[i] >= 0 && firstPerPerson.Contains(rows[i].Id))
            {
                firstPartByPerson[rows[i].PersonId] = partOfRow[i];
            }
        }

        var referralsSent = new int[parts.Count];
        var referralsClosed = new int[parts.Count];
        foreach (var referral in referrals)
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

        var (closed, allClosed) = Suppression.Pairs(referralsClosed, referralsSent, threshold);

        List<Measure> measures =
        [
            Rate("presentations", "Presentations", Activity, "Every presentation after self-harm in the period.", _ => true, isRate: false),
            Rate("people", "People", Activity, "Different people who presented (counted in the part of their first presentation in the period).", r => firstPerPerson.Contains(r.Id), isRate: false),
            Rate("repeats", "Came back for help", Activity, "Presentations by someone who had presented before: help sought again.", Repeat),
            Rate("assessed", "Psychosocial assessment", Care, "Presentations with a psychosocial assessment recorded (NICE QS34).", r => r.AssessedAt is not null),
            Rate("assessed-4h", "Assessed within 4 hours of arrival", Care, "Of all presentations: assessment recorded within 4 hours of arrival.", r => r.AssessedAt is { } a && a - r.ArrivedAt <= TimeSpan.FromHours(4)),
            Rate("safety-plan", "Safety plan given the same day", Care, "Presentations where the person's safety plan was completed on the day they arrived.", PlanSameDay),
            Rate("first-48h", "First aftercare contact within 48 hours", Outcomes, "Of presentations enrolled in aftercare: the person reached within 48 hours of discharge.", r => Reached(r, TimeSpan.FromHours(48)), r => episodeByPresentation.ContainsKey(r.Id)),
            Rate("contact-7d", "In contact by 7 days", Outcomes, "Of presentations enrolled in aftercare: reached within 7 days of discharge.", r => Reached(r, TimeSpan.FromDays(7)), r => episodeByPresentation.ContainsKey(r.Id)),
            Rate("contact-30d", "In contact by 30 days", Outcomes, "Of presentations enrolled in aftercare: reached within 30 days of discharge.", r => Reached(r, TimeSpan.FromDays(30)), r => episodeByPresentation.ContainsKey(r.Id)),
            new Measure("referrals-closed", "Referrals with a known outcome", Outcomes, "Warm handoffs sent in the period whose loop is closed: attended, declined or not reached.",
                [.. closed.Select(c => new Cell(c.Numerator, c.Denominator))], new Cell(allClosed.Numerator, allClosed.Denominator), true),
            Rate("repeat-12m", "Came back within 12 months", Outcomes, "Of people's first presentation in the period: another presentation within 12 months. Read it with engagement and mortality: a service that keeps people in contact may see more people come back.", CameBackWithinYear, r => firstPerPerson.Contains(r.Id)),
            Rate("died-12m", "Died within 12 months (any cause)", Outcomes, "Of people's first presentation in the period, where deaths are linked.", r => Died(r, suicideOnly: false), r => firstPerPerson.Contains(r.Id)),
            Rate("suicide-12m", "Died by suicide within 12 months", Outcomes, "Of people's first presentation in the period, where deaths are linked (suicide and undetermined intent, as is usual).", r => Died(r, suicideOnly: true), r => firstPerPerson.Contains(r.Id)),
        ];
        var labels = by == Breakdown.Site ? [.. parts.Select(p => siteNames.GetValueOrDefault(p, p))] : parts;
        return new Report(filter, by, labels, measures, threshold, deaths.Linked);
    }

    private static int Age(Row r, LocalTime time)
    {
        var day = DateOnly.FromDateTime(time.ToLocal(r.ArrivedAt));
        var age = day.Year - r.DateOfBirth.Year;
        return r.DateOfBirth.AddYears(age) > day ? age - 1 : age;
    }

    private static List<string> Months(DateOnly from, DateOnly to)
    {
        var months = new List<string>();
        for (var m = new DateOnly(from.Year, from.Month, 1); m <= to; m = m.AddMonths(1))
        {
            months.Add(m.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        }

        return months;
    }
}

/// <summary>Deaths linked from mortality data, for the measures.</summary>
public static class Deaths
{
    public sealed record Death(DateOnly On, bool Suicide);

    /// <summary>The deaths of these people, and whether any mortality data have been linked at all.</summary>
    public sealed record LinkedDeaths(IReadOnlyDictionary<Guid, Death> ByPerson, bool Linked)
    {
        public bool TryGetValue(Guid person, out Death? death) => ByPerson.TryGetValue(person, out death);
    }

    public static async Task<LinkedDeaths> For(AftercareDbContext db, IReadOnlyCollection<Guid> people, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(people);
        if (!await db.Deaths.AnyAsync(ct))
        {
            return new LinkedDeaths(new Dictionary<Guid, Death>(), Linked: false);
        }

        var deaths = await db.Deaths.AsNoTracking().Where(d => people.Contains(d.PersonId)).Select(d => new { d.PersonId, d.DateOfDeath, d.Cause }).ToListAsync(ct);
        // Undetermined intent counts with suicide, as national statistics do.
        return new LinkedDeaths(deaths.ToDictionary(d => d.PersonId, d => new Death(d.DateOfDeath, d.Cause is Domain.Mortality.DeathCause.Suicide or Domain.Mortality.DeathCause.Undetermined)), Linked: true);
    }
}
