using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Programme;

/// <summary>Records a contact attempt: reached, not reached (retry, then escalate), or declined; and the next contact agreed.</summary>
public static class RecordContact
{
    public sealed record Command(Guid ContactId, int BasedOnVersion, ContactAttempt Attempt, DateTimeOffset? NextContactAt);

    public static async Task<Result<ScheduledContact>> Handle(AftercareDbContext db, TimeProvider clock, LocalTime time, AftercareSettings settings, Actor actor, Command command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(command);
        var now = clock.GetUtcNow();
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == command.ContactId, ct);
        if (contact is null)
        {
            return Result<ScheduledContact>.Failure(Error.NotFound("contact", "That contact was not found."));
        }

        if (contact.Version != command.BasedOnVersion)
        {
            return Result<ScheduledContact>.Failure(Error.Stale("Someone recorded this contact while you had it open. Nothing of yours was saved: check what they recorded, then add yours."));
        }

        var episode = await db.Episodes.AsNoTracking().FirstAsync(e => e.Id == contact.EpisodeId, ct);
        if (command.NextContactAt is { } next && (next <= now || next > now.AddDays(Pathway.MaxScheduleDays)))
        {
            return Result<ScheduledContact>.Failure("nextContactAt", "The next contact must be in the future, within two years.");
        }

        var recorded = contact.Record(command.Attempt, settings.Retry, now);
        if (!recorded.IsSuccess)
        {
            return recorded;
        }

        if (command.NextContactAt is { } nextAt && episode.Status == EpisodeStatus.Active)
        {
            var extra = ScheduledContact.Extra(episode.Id, episode.PersonId, nextAt, now);
            db.Contacts.Add(extra);
            // People who prefer email get an invitation with a calendar file for the agreed contact.
            var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == episode.PersonId, ct);
            var optedOut = await db.MessagePreferences.AnyAsync(p => p.PersonId == person.Id && p.OptedOutAt != null, ct);
            if (person.PreferredChannel == Domain.People.ContactChannel.Email && !optedOut
                && Messaging.CaringMessages.Invitation(person, episode.Id, extra.Id, nextAt, time.Format(nextAt), now) is { IsSuccess: true } invitation)
            {
                db.OutboxMessages.Add(invitation.Value);
            }
        }

        db.Audit(clock, actor, AuditAction.ContactRecorded, AuditPurpose.DirectCare, contact.PersonId, $"{contact.Id} {command.Attempt.Outcome}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Result<ScheduledContact>.Failure(Error.Stale("Someone recorded this contact at the same moment. Nothing of yours was saved: reload and check."));
        }

        return contact;
    }
}
