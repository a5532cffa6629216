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

/// <summary>The person stops caring messages from a link in one of them; no sign-in, and what is waiting is cancelled.</summary>
public static class OptOutByLink
{
    /// <summary>The person stops caring messages from a link in one of them; no sign-in, and what is waiting is cancelled.</summary>
    public static async Task<bool> Handle(AftercareDbContext db, TimeProvider clock, string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        // Found by the token's hash: the token itself is never compared in the database.
        var message = await db.OutboxMessages.FindByTokenAsync(m => m.OptOutTokenHash, token, ct);
        if (message is null)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var preferences = await db.MessagePreferences.FirstOrDefaultAsync(p => p.PersonId == message.PersonId, ct);
        if (preferences is null)
        {
            preferences = new MessagePreferences(message.PersonId);
            db.MessagePreferences.Add(preferences);
        }

        preferences.OptOut(now);
        db.Audit(clock, new Actor("", "(the person, by opt-out link)", []), AuditAction.MessagesOptedOut, AuditPurpose.DirectCare, message.PersonId);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await CaringMessages.CancelAllPending(db, message.PersonId, NotSentBecause.OptedOutByLink, ct);
        await transaction.CommitAsync(ct);
        return true;
    }
}
