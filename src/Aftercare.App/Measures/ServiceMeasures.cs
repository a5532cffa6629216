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

/// <summary>The age bands measures are reported in: the labels of the one Domain rule (<see cref="AgeBand"/>).</summary>
public static class AgeBands
{
    public static IReadOnlyList<string> All { get; } = [.. AgeBand.All.Select(b => b.Label)];

    public static string Of(int age) => AgeBand.Of(age).Label;
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
/// The measures services report (docs/domain.md), aggregates only, suppressed below the threshold. Each
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

    public const string Activity = ServiceMeasureDefinitions.Activity;
    public const string Care = ServiceMeasureDefinitions.Care;
    public const string Outcomes = ServiceMeasureDefinitions.Outcomes;

    /// <summary>The raw counts of every measure per part, before suppression, with the parts' labels in the order shown.</summary>
    public sealed record Counted(IReadOnlyList<string> Parts, IReadOnlyList<MeasureCounts> Measures, bool MortalityLinked);

    private sealed record Row(Guid Id, Guid PersonId, DateTimeOffset ArrivedAt, Guid SiteId, DateTimeOffset? AssessedAt, DateOnly DateOfBirth, Sex Sex, PriorPsychiatricHistory History);

    /// <summary>Counts the measures (in SQL on PostgreSQL, with the Domain's definitions elsewhere) and suppresses small numbers.</summary>
    public static async Task<Report> Compute(AftercareDbContext db, LocalTime time, MeasureFilter filter, Breakdown by, int threshold, CancellationToken ct) =>
        Publish(filter, by, await Count(db, time, filter, by, ct), threshold);

    /// <summary>
    /// The raw counts. On PostgreSQL the database counts them (<see cref="MeasureCountsInPostgres"/>, issue 16: a year over
    /// a national service is a million presentations); on SQLite, a team's laptop-sized record, the rows are loaded and
    /// counted with the Domain's definitions. Both give the same cells (MeasuresInSqlTests).
    /// </summary>
    public static Task<Counted> Count(AftercareDbContext db, LocalTime time, MeasureFilter filter, Breakdown by, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.IsNpgsql() ? MeasureCountsInPostgres.Count(db, time, filter, by, ct) : CountInMemory(db, time, filter, by, ct);
    }

    /// <summary>Suppresses small numbers in every measure: the report as it may be shown.</summary>
    public static Report Publish(MeasureFilter filter, Breakdown by, Counted counted, int threshold)
    {
        ArgumentNullException.ThrowIfNull(counted);
        return new Report(filter, by, counted.Parts, [.. counted.Measures.Select(c => Suppress(c, threshold))], threshold, counted.MortalityLinked);
    }

    /// <summary>
    /// Loads the rows the measures need and counts them with the Domain's definitions (<see cref="ServiceMeasureDefinitions.Count"/>):
    /// the path on SQLite, and on PostgreSQL the reference the SQL is tested against.
    /// </summary>
    public static async Task<Counted> CountInMemory(AftercareDbContext db, LocalTime time, MeasureFilter filter, Breakdown by, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(filter);
        var (from, to) = Window(time, filter);
        DateOnly LocalDay(DateTimeOffset at) => DateOnly.FromDateTime(time.ToLocal(at));
        int AgeAtArrival(Row r) => Age.On(r.DateOfBirth, LocalDay(r.ArrivedAt));

        // Only the columns the measures need, never free text.
        var query = db.Presentations.AsNoTracking().Where(p => p.EnteredInErrorAt == null && p.ArrivedAt >= from && p.ArrivedAt < to);
        if (filter.SiteId is { } site)
        {
            query = query.Where(p => p.SiteId == site);
        }

        // Ordered by arrival, then id, so that a person's first presentation is the same one SQL picks when two arrivals tie.
        var rows = (await query.Join(db.People, p => p.PersonId, x => x.Id, (p, x) => new Row(p.Id, p.PersonId, p.ArrivedAt, p.SiteId, p.PsychosocialAssessmentAt, x.DateOfBirth, x.Sex, x.PriorPsychiatricHistory))
            .ToListAsync(ct))
            .Where(r => (filter.Sex is null || r.Sex == filter.Sex) && (filter.History is null || r.History == filter.History)
                && (filter.AgeBand is null || AgeBands.Of(AgeAtArrival(r)) == filter.AgeBand))
            .OrderBy(r => r.ArrivedAt).ThenBy(r => r.Id)
            .ToList();
        var ids = rows.Select(r => r.Id).ToHashSet();
        var people = rows.Select(r => r.PersonId).Distinct().ToList();

        // What happened next, for these people.
        var arrivals = await db.Presentations.AsNoTracking().Where(p => p.EnteredInErrorAt == null && people.Contains(p.PersonId)).Select(p => new { p.PersonId, p.ArrivedAt }).ToListAsync(ct);
        var plans = await db.SafetyPlans.AsNoTracking().Where(s => people.Contains(s.PersonId) && s.Status != DocumentStatus.Draft && s.CompletedAt != null)
            .Select(s => new { s.PersonId, s.CompletedAt }).ToListAsync(ct);
        // Ordered by id: should a presentation have two episodes, the Domain takes the first, as SQL does.
        var episodes = (await db.Episodes.AsNoTracking().Where(e => ids.Contains(e.PresentationId)).Select(e => new MeasuredEpisode(e.Id, e.PresentationId, e.DischargedAt)).ToListAsync(ct))
            .OrderBy(e => e.Id).ToList();
        var episodeIds = episodes.Select(e => e.Id).ToList();
        var reached = await db.Contacts.AsNoTracking().Where(c => episodeIds.Contains(c.EpisodeId) && c.Outcome == ContactOutcome.Reached && c.CompletedAt != null)
            .Select(c => new { c.EpisodeId, c.CompletedAt }).ToListAsync(ct);
        var referrals = await db.Referrals.AsNoTracking().Where(r => people.Contains(r.PersonId) && r.SentAt >= from && r.SentAt < to)
            .Select(r => new MeasuredReferral(r.PersonId, r.Status)).ToListAsync(ct);
        var deaths = await Deaths.For(db, people, ct);

        var siteNames = await SiteNames(db, ct);
        var parts = Parts(filter, by, rows.Select(r => r.SiteId).Distinct(), siteNames);
        var partIndex = parts.Select((part, i) => (part, i)).ToDictionary(x => x.part, x => x.i, StringComparer.Ordinal);
        string PartOf(Row r) => by switch
        {
            Breakdown.Month => MonthLabel(LocalDay(r.ArrivedAt).Year, LocalDay(r.ArrivedAt).Month),
            Breakdown.Site => r.SiteId.ToString(),
            Breakdown.AgeBand => AgeBands.Of(AgeAtArrival(r)),
            Breakdown.Sex => r.Sex.ToString(),
            _ => r.History.ToString(),
        };
        var partById = rows.ToDictionary(r => r.Id, r => partIndex.GetValueOrDefault(PartOf(r), -1));

        var cohort = new MeasureCohort(
            [.. rows.Select(r => new MeasuredPresentation(r.Id, r.PersonId, r.ArrivedAt, LocalDay(r.ArrivedAt), r.AssessedAt))],
            [.. arrivals.Select(a => (a.PersonId, a.ArrivedAt))],
            [.. plans.Select(s => new MeasuredSafetyPlan(s.PersonId, s.CompletedAt!.Value, LocalDay(s.CompletedAt!.Value)))],
            episodes,
            [.. reached.Select(c => new MeasuredContact(c.EpisodeId, c.CompletedAt!.Value))],
            referrals,
            [.. deaths.ByPerson.Select(d => new MeasuredDeath(d.Key, d.Value.On, d.Value.Suicide))]);
        var counts = ServiceMeasureDefinitions.Count(cohort, parts.Count, r => partById[r.Id]);
        return new Counted(Labels(by, parts, siteNames), counts, deaths.Linked);
    }

    /// <summary>The instants the period runs between: local midnight at the start of From, and of the day after To.</summary>
    internal static (DateTimeOffset From, DateTimeOffset To) Window(LocalTime time, MeasureFilter filter) =>
        (time.FromLocal(filter.From.ToDateTime(TimeOnly.MinValue)), time.FromLocal(filter.To.AddDays(1).ToDateTime(TimeOnly.MinValue)));

    internal static Task<Dictionary<string, string>> SiteNames(AftercareDbContext db, CancellationToken ct) =>
        db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id.ToString(), s => s.Name, ct);

    /// <summary>
    /// The parts of a breakdown, as keys: every month From..To, every age band, sex and history; the sites that
    /// have presentations in the view, ordered by name.
    /// </summary>
    internal static List<string> Parts(MeasureFilter filter, Breakdown by, IEnumerable<Guid> sitesPresent, IReadOnlyDictionary<string, string> siteNames) => by switch
    {
        Breakdown.Month => Months(filter.From, filter.To),
        Breakdown.AgeBand => [.. AgeBands.All],
        Breakdown.Sex => [.. Enum.GetValues<Sex>().Select(s => s.ToString())],
        Breakdown.History => [.. Enum.GetValues<PriorPsychiatricHistory>().Select(h => h.ToString())],
        _ => sitesPresent.Select(s => s.ToString()).Distinct().OrderBy(s => siteNames.GetValueOrDefault(s, s)).ToList(),
    };

    internal static IReadOnlyList<string> Labels(Breakdown by, List<string> parts, IReadOnlyDictionary<string, string> siteNames) =>
        by == Breakdown.Site ? [.. parts.Select(p => siteNames.GetValueOrDefault(p, p))] : parts;

    internal static string MonthLabel(int year, int month) => new DateOnly(year, month, 1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One measure's counts as they may be shown: a count is a breakdown; a rate is numerators over denominators.</summary>
    public static Measure Suppress(MeasureCounts counts, int threshold)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (!counts.IsRate)
        {
            var (shown, total) = Suppression.Breakdown(counts.Numerators, threshold);
            return new Measure(counts.Key, counts.Name, counts.Group, counts.Explanation, [.. shown.Select(c => new Cell(c, c))], new Cell(total, total), false);
        }

        var (cells, all) = Suppression.Pairs(counts.Numerators, counts.Denominators, threshold);
        return new Measure(counts.Key, counts.Name, counts.Group, counts.Explanation, [.. cells.Select(c => new Cell(c.Numerator, c.Denominator))], new Cell(all.Numerator, all.Denominator), true);
    }

    private static List<string> Months(DateOnly from, DateOnly to)
    {
        var months = new List<string>();
        for (var m = new DateOnly(from.Year, from.Month, 1); m <= to; m = m.AddMonths(1))
        {
            months.Add(MonthLabel(m.Year, m.Month));
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
