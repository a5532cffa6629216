using System.Globalization;
using System.Text;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Measures;

/// <summary>
/// A de-identified CSV of presentations for a national registry (issue #7): one row per
/// presentation, no ids, no names, no dates finer than the month, no free text. Rows that could
/// single someone out are coarsened (k-anonymity with k the suppression threshold): see
/// docs/measures.md for the columns and the rule.
/// </summary>
public static class RegistryExport
{
    public const string Suppressed = "suppressed";

    public static readonly string[] Columns =
    [
        "month", "site", "age_band", "sex", "prior_psych_history", "methods_icd10", "alcohol", "medical_treatment", "disposition",
        "psychosocial_assessment", "assessed_within_4h", "came_back", "aftercare_enrolled", "first_contact_within_48h",
    ];

    public sealed record Export(string Csv, int Rows, int Coarsened, int LeftOut);

    private sealed record Raw(Guid Id, Guid PersonId, DateTimeOffset ArrivedAt, Guid SiteId, SelfHarmCoding Coding, YesNoUnknown Alcohol, YesNoUnknown Treatment,
        Disposition Disposition, DateTimeOffset? AssessedAt, DateOnly DateOfBirth, Domain.People.Sex Sex, Domain.People.PriorPsychiatricHistory History);

    /// <param name="readFrom">Where the presentations are read (a standby, <see cref="StaleReads"/>), or null for <paramref name="db"/>; the export is always audited on <paramref name="db"/>.</param>
    public static async Task<Export> Handle(
        AftercareDbContext db, TimeProvider clock, LocalTime time, Actor actor, DateOnly from, DateOnly to, int threshold, CancellationToken ct, AftercareDbContext? readFrom = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var read = readFrom ?? db;
        var start = time.FromLocal(from.ToDateTime(TimeOnly.MinValue));
        var end = time.FromLocal(to.AddDays(1).ToDateTime(TimeOnly.MinValue));
        var raw = await read.Presentations.AsNoTracking().Where(p => p.EnteredInErrorAt == null && p.ArrivedAt >= start && p.ArrivedAt < end)
            .Join(read.People, p => p.PersonId, x => x.Id, (p, x) => new Raw(p.Id, p.PersonId, p.ArrivedAt, p.SiteId, p.Coding, p.AlcoholInvolved, p.MedicalTreatmentNeeded,
                p.Disposition, p.PsychosocialAssessmentAt, x.DateOfBirth, x.Sex, x.PriorPsychiatricHistory))
            .ToListAsync(ct);
        var people = raw.Select(r => r.PersonId).Distinct().ToList();
        var earliest = await read.Presentations.AsNoTracking().Where(p => p.EnteredInErrorAt == null && people.Contains(p.PersonId))
            .GroupBy(p => p.PersonId).Select(g => new { g.Key, First = g.Min(p => p.ArrivedAt) }).ToDictionaryAsync(g => g.Key, g => g.First, ct);
        var ids = raw.Select(r => r.Id).ToList();
        var episodes = await read.Episodes.AsNoTracking().Where(e => ids.Contains(e.PresentationId)).Select(e => new { e.Id, e.PresentationId, e.DischargedAt }).ToListAsync(ct);
        var episodeIds = episodes.Select(e => e.Id).ToList();
        var firstReached = (await read.Contacts.AsNoTracking().Where(c => episodeIds.Contains(c.EpisodeId) && c.Outcome == ContactOutcome.Reached && c.CompletedAt != null)
            .Select(c => new { c.EpisodeId, c.CompletedAt }).ToListAsync(ct))
            .GroupBy(c => c.EpisodeId).ToDictionary(g => g.Key, g => g.Min(c => c.CompletedAt!.Value));
        var episodeByPresentation = episodes.ToDictionary(e => e.PresentationId);
        var sites = await read.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Code, ct);

        static string Yes(bool value) => value ? "yes" : "no";
        var rows = raw.Select(r =>
        {
            var local = DateOnly.FromDateTime(time.ToLocal(r.ArrivedAt));
            episodeByPresentation.TryGetValue(r.Id, out var episode);
            var within48 = episode is null ? "not enrolled"
                : Yes(firstReached.TryGetValue(episode.Id, out var first) && first - episode.DischargedAt <= TimeSpan.FromHours(48));
            return new[]
            {
                local.ToString("yyyy-MM", CultureInfo.InvariantCulture), sites[r.SiteId], Domain.People.AgeBand.Of(r.DateOfBirth, local).Label, r.Sex.ToString().ToLowerInvariant(), r.History.ToString().ToLowerInvariant(),
                string.Join(';', r.Coding.Methods.Select(m => m.Icd10()).Distinct().Order(StringComparer.Ordinal)), r.Alcohol.ToString().ToLowerInvariant(), r.Treatment.ToString().ToLowerInvariant(),
                r.Disposition.ToString(), Yes(r.AssessedAt is not null), Yes(r.AssessedAt is { } a && a - r.ArrivedAt <= TimeSpan.FromHours(4)),
                Yes(earliest[r.PersonId] < r.ArrivedAt), Yes(episode is not null), within48,
            };
        }).ToList();

        // k-anonymity on what could single someone out (month, site, age band, sex): coarsen, then leave out.
        var coarsened = Coarsen(rows, [2, 3], [0, 1, 2, 3], threshold) + Coarsen(rows, [1], [0, 1], threshold);
        var leftOut = rows.RemoveAll(row => rows.Count(other => other[0] == row[0]) < threshold);

        var csv = new StringBuilder(string.Join(',', Columns)).Append('\n');
        foreach (var row in rows.OrderBy(r => r[0], StringComparer.Ordinal).ThenBy(r => r[1], StringComparer.Ordinal))
        {
            csv.Append(Csv.Line(row)).Append('\n');
        }

        db.Audit(clock, actor, AuditAction.RegistryExported, AuditPurpose.Administration, entityId: $"{from:yyyy-MM}..{to:yyyy-MM} {rows.Count} rows");
        await db.SaveChangesAsync(ct);
        return new Export(csv.ToString(), rows.Count, coarsened, leftOut);
    }

    /// <summary>Rows whose key columns are shared by fewer than k rows have the given columns replaced by "suppressed".</summary>
    private static int Coarsen(List<string[]> rows, int[] blank, int[] key, int k)
    {
        var counts = rows.GroupBy(r => string.Join('\u001f', key.Select(i => r[i]))).ToDictionary(g => g.Key, g => g.Count());
        var changed = 0;
        foreach (var row in rows.Where(r => counts[string.Join('\u001f', key.Select(i => r[i]))] < k))
        {
            foreach (var i in blank)
            {
                row[i] = Suppressed;
            }

            changed++;
        }

        return changed;
    }
}
