using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Messaging;

/// <summary>
/// The person chooses how they are contacted, from their own space (issue 14.7, consent rule 8): the
/// way, the hours not to contact them, their language, and stopping or restarting caring messages.
/// The choices take effect at once (a message waiting goes the new way, or stops, or starts again)
/// and are recorded as theirs.
/// </summary>
public static class ChooseMyContact
{
    public sealed record Choices(ContactChannel Channel, TimeOnly? QuietFrom, TimeOnly? QuietUntil, string? Language, bool StopMessages);

    public static async Task<Result<MessagePreferences>> Handle(AftercareDbContext db, TimeProvider clock, Guid personId, Choices choices, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(choices);
        var person = await db.People.FirstAsync(p => p.Id == personId, ct);
        var preferences = await db.MessagePreferences.FirstOrDefaultAsync(p => p.PersonId == personId, ct);
        if (preferences is null)
        {
            preferences = new MessagePreferences(personId);
            db.MessagePreferences.Add(preferences);
        }

        var errors = new List<Error>();
        if (person.ChoosePreferredChannel(choices.Channel) is { } wrongWay)
        {
            errors.Add(wrongWay);
        }

        if (choices.Language is { Length: > 20 })
        {
            errors.Add(new Error("language", "Write the language in 20 letters or fewer."));
        }

        var hours = preferences.SetQuietHours(choices.QuietFrom, choices.QuietUntil, choices.Language);
        errors.AddRange(hours.Errors);
        if (errors.Count > 0)
        {
            db.ChangeTracker.Clear();
            return Result<MessagePreferences>.Failure(errors);
        }

        var now = clock.GetUtcNow();
        var restarting = preferences.OptedOut && !choices.StopMessages;
        if (choices.StopMessages)
        {
            preferences.OptOut(now);
        }
        else
        {
            preferences.OptBackIn();
        }

        preferences.RecordedBy(thePerson: true, now);
        if (CaringMessages.ChannelFor(person) is { } channel && CaringMessages.AddressFor(person, channel) is { } address)
        {
            foreach (var waiting in await db.OutboxMessages.Where(m => m.PersonId == personId && m.Status == MessageStatus.Pending && m.Kind == MessageKind.CaringContact).ToListAsync(ct))
            {
                waiting.Redirect(channel, address);
            }
        }

        if (restarting)
        {
            foreach (var stopped in await db.OutboxMessages.Where(m => m.PersonId == personId && m.Status == MessageStatus.Cancelled && m.Kind == MessageKind.CaringContact).ToListAsync(ct))
            {
                stopped.Reinstate(now);
            }
        }

        db.Audit(clock, Actor.ThePerson(personId), AuditAction.MessagePreferencesChanged, AuditPurpose.DirectCare, personId);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        if (choices.StopMessages)
        {
            await CaringMessages.CancelAllPending(db, personId, NotSentBecause.OptedOut, ct);
        }

        await transaction.CommitAsync(ct);
        return preferences;
    }
}
