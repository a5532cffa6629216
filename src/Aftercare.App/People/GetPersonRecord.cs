using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.People;

/// <summary>A person's record: who they are and their timeline. Every read is audited.</summary>
public static class GetPersonRecord
{
    public sealed record PersonRecord(
        Person Person, Timeline Timeline, IReadOnlyDictionary<Guid, string> SiteNames, int AgeToday,
        IReadOnlyList<DocumentEntry> Documents)
    {
        /// <summary>The names of who withdrew a presentation as entered in error, by user id (a backend client is shown by its id).</summary>
        public IReadOnlyDictionary<string, string> Names { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>An assessment, plan or share on the person's timeline.</summary>
    public sealed record DocumentEntry(DateTimeOffset At, string Kind, string Title, string Href, Guid? PresentationId, bool Completed = true);

    public const string Assessment = "Assessment";
    public const string CarePlan = "Care plan";
    public const string SafetyPlan = "Safety plan";

    /// <summary>Returns null when no such person exists (nothing is audited then: there was nothing to see).</summary>
    public static async Task<PersonRecord?> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return null;
        }

        var presentations = await db.Presentations.AsNoTracking().Where(p => p.PersonId == personId).ToListAsync(ct);
        var sites = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var documents = new List<DocumentEntry>();
        documents.AddRange((await db.Assessments.AsNoTracking().Where(a => a.PersonId == personId)
                .Select(a => new { a.PresentationId, a.Status, a.Version, a.UpdatedAt }).ToListAsync(ct))
            .Select(a => new DocumentEntry(a.UpdatedAt, Assessment,
                $"Psychosocial assessment, {(a.Status == DocumentStatus.Completed ? "completed" : "draft")} (version {a.Version})",
                $"/presentations/{a.PresentationId}/assessment", a.PresentationId, a.Status == DocumentStatus.Completed)));
        documents.AddRange((await db.CarePlans.AsNoTracking().Where(p => p.PersonId == personId)
                .Select(p => new { p.Status, p.Version, p.UpdatedAt, p.ReviewBy }).ToListAsync(ct))
            .Select(p => new DocumentEntry(p.UpdatedAt, CarePlan,
                p.Status == DocumentStatus.Completed ? $"Care plan agreed (version {p.Version}), review by {p.ReviewBy:d MMM yyyy}" : $"Care plan, draft (version {p.Version})",
                $"/people/{personId}/care-plan", null, p.Status == DocumentStatus.Completed)));
        documents.AddRange((await db.SafetyPlans.AsNoTracking().Where(p => p.PersonId == personId)
                .Select(p => new { p.Status, p.Version, p.UpdatedAt }).ToListAsync(ct))
            .Select(p => new DocumentEntry(p.UpdatedAt, SafetyPlan,
                p.Status == DocumentStatus.Completed ? $"Safety plan, the person's copy (version {p.Version})" : $"Safety plan, draft (version {p.Version})",
                $"/people/{personId}/safety-plan", null, p.Status == DocumentStatus.Completed)));
        documents.AddRange((await db.Shares.AsNoTracking().Where(x => x.PersonId == personId).ToListAsync(ct))
            .Select(x => new DocumentEntry(x.SharedAt, "Shared", $"Shared with {x.Recipient}: {x.What}", $"/shares/{x.Id}", null)));
        var withdrawers = presentations.Where(p => p.EnteredInErrorBy is not null).Select(p => p.EnteredInErrorBy!).Distinct().ToList();
        var names = withdrawers.Count == 0 ? new Dictionary<string, string>()
            : await db.Users.AsNoTracking().Where(u => withdrawers.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName.Length > 0 ? u.DisplayName : u.Email ?? u.Id, ct);
        db.Audit(clock, actor, AuditAction.PersonViewed, AuditPurpose.DirectCare, personId);
        await db.SaveChangesAsync(ct);
        var now = clock.GetUtcNow();
        return new PersonRecord(person, Timeline.Of(presentations, now), sites, person.AgeOn(DateOnly.FromDateTime(now.UtcDateTime)),
            [.. documents.OrderByDescending(d => d.At)]) { Names = names };
    }
}
