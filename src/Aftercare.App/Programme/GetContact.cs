using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Programme;

/// <summary>A contact to record, with the person and their episode. Reading it is audited.</summary>
public static class GetContact
{
    public sealed record View(ScheduledContact Contact, Episode Episode, Person Person);

    public static async Task<View?> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid contactId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null)
        {
            return null;
        }

        var episode = await db.Episodes.AsNoTracking().Include(e => e.Contacts).FirstAsync(e => e.Id == contact.EpisodeId, ct);
        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == contact.PersonId, ct);
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, person.Id, $"contact {contact.Id}");
        await db.SaveChangesAsync(ct);
        return new View(contact, episode, person);
    }

    /// <summary>The person's aftercare episodes, newest first, with their contacts.</summary>
    public static async Task<IReadOnlyList<Episode>> EpisodesFor(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.Episodes.AsNoTracking().Include(e => e.Contacts).Where(e => e.PersonId == personId).OrderByDescending(e => e.Id).ToListAsync(ct);
    }
}
