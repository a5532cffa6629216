using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Messaging;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Messaging;

/// <summary>Staff record the person's choices: no messages, hours not to contact, language.</summary>
public static class SetMessagePreferences
{
    /// <summary>Staff record the person's choices: no messages, hours not to contact, language.</summary>
    public static async Task<Result<MessagePreferences>> Handle(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, bool optedOut, TimeOnly? quietFrom, TimeOnly? quietUntil, string? language, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var preferences = await db.MessagePreferences.FirstOrDefaultAsync(p => p.PersonId == personId, ct);
        if (preferences is null)
        {
            preferences = new MessagePreferences(personId);
            db.MessagePreferences.Add(preferences);
        }

        var set = preferences.SetQuietHours(quietFrom, quietUntil, language);
        if (!set.IsSuccess)
        {
            return set;
        }

        if (optedOut)
        {
            preferences.OptOut(clock.GetUtcNow());
        }
        else
        {
            preferences.OptBackIn();
        }

        preferences.RecordedBy(thePerson: false, clock.GetUtcNow());
        db.Audit(clock, actor, AuditAction.MessagePreferencesChanged, AuditPurpose.DirectCare, personId);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        if (optedOut)
        {
            await CaringMessages.CancelAllPending(db, personId, NotSentBecause.OptedOut, ct);
        }

        await transaction.CommitAsync(ct);
        return set;
    }
}
