using Aftercare.App.Data;
using Aftercare.Domain.Consent;
using Aftercare.Domain.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Consent;

/// <summary>What recording and withdrawing consent share: a decision about messages changes the person's message preferences in the same transaction.</summary>
internal static class ConsentMessages
{
    /// <summary>Saves; a decision about messages takes effect at once: what is waiting is cancelled in the same transaction.</summary>
    internal static async Task SaveAsync(AftercareDbContext db, Guid personId, ConsentTopic topic, bool agreed, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (topic == ConsentTopic.ReceiveMessages)
        {
            var preferences = await db.MessagePreferences.FirstOrDefaultAsync(p => p.PersonId == personId, ct);
            if (preferences is null)
            {
                preferences = new MessagePreferences(personId);
                db.MessagePreferences.Add(preferences);
            }

            if (agreed)
            {
                preferences.OptBackIn();
            }
            else
            {
                preferences.OptOut(now);
            }
        }

        await db.SaveChangesAsync(ct);
        if (topic == ConsentTopic.ReceiveMessages && !agreed)
        {
            await Messaging.CaringMessages.CancelAllPending(db, personId, NotSentBecause.ConsentWithdrawn, ct);
        }

        await transaction.CommitAsync(ct);
    }
}
