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
        var view = await Read(db, contactId, ct);
        if (view is not null)
        {
            await Viewed(db, clock, actor, view, ct);
        }

        return view;
    }

    /// <summary>
    /// The contact without auditing a view: for a page handling a post, which audits what the post did, and a view
    /// (<see cref="Viewed"/>) only when it shows the contact again (read once per request).
    /// </summary>
    public static async Task<View?> Read(AftercareDbContext db, Guid contactId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null)
        {
            return null;
        }

        var episode = await db.Episodes.AsNoTracking().Include(e => e.Contacts).FirstAsync(e => e.Id == contact.EpisodeId, ct);
        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == contact.PersonId, ct);
        return new View(contact, episode, person);
    }

    /// <summary>Audits that the contact was shown. Whatever a refused write left unsaved is discarded first, never committed with it.</summary>
    public static async Task Viewed(AftercareDbContext db, TimeProvider clock, Actor actor, View view, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(view);
        db.ChangeTracker.Clear();
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, view.Person.Id, $"contact {view.Contact.Id}");
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The person's aftercare episodes, newest first, with their contacts.</summary>
    public static async Task<IReadOnlyList<Episode>> EpisodesFor(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.Episodes.AsNoTracking().Include(e => e.Contacts).Where(e => e.PersonId == personId).OrderByDescending(e => e.Id).ToListAsync(ct);
    }
}
