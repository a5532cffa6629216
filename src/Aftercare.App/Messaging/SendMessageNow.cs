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

/// <summary>A message written now by a member of staff, sent by the worker.</summary>
public static class SendMessageNow
{
    /// <summary>A message written now by a member of staff, sent by the worker.</summary>
    public static async Task<Result<OutboxMessage>> Handle(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, MessageChannel? channel, string? body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return Result<OutboxMessage>.Failure(Error.NotFound("personId", "That person was not found."));
        }

        if (channel is not { } how)
        {
            return Result<OutboxMessage>.Failure("channel", "Choose email or text message.");
        }

        var preferences = await db.MessagePreferences.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == personId, ct);
        if (preferences?.OptedOut == true)
        {
            return Result<OutboxMessage>.Failure(Error.Refused("The person has opted out of messages; nothing is sent. Contact them another way if you need to.", "channel"));
        }

        var now = clock.GetUtcNow();
        var message = OutboxMessage.Schedule(personId, null, MessageKind.CaringContact, how, CaringMessages.AddressFor(person, how), "A message from your aftercare team", body ?? "", null, now, now);
        if (!message.IsSuccess)
        {
            return message;
        }

        db.OutboxMessages.Add(message.Value);
        db.Audit(clock, actor, AuditAction.MessageQueued, AuditPurpose.DirectCare, personId, message.Value.Id.ToString());
        await db.SaveChangesAsync(ct);
        return message;
    }
}
