using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.People;

/// <summary>A person's record: who they are and their timeline. Every read is audited.</summary>
public static class GetPersonRecord
{
    public sealed record PersonRecord(Person Person, Timeline Timeline, IReadOnlyDictionary<Guid, string> SiteNames, int AgeToday);

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
        db.Audit(clock, actor, AuditAction.PersonViewed, AuditPurpose.DirectCare, personId);
        await db.SaveChangesAsync(ct);
        var now = clock.GetUtcNow();
        return new PersonRecord(person, Timeline.Of(presentations, now), sites, person.AgeOn(DateOnly.FromDateTime(now.UtcDateTime)));
    }
}
