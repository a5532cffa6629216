using System.Security.Cryptography;
using System.Text;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Messaging;

/// <summary>
/// What the person's voice needs from the service (issue 14.5 and 14.6): the staffed hours, the
/// crisis lines as the person reads them in a text, and how soon a request to talk is due.
/// </summary>
public sealed record PersonVoiceSettings(StaffedHours Hours, string CrisisLines, double TalkWithinStaffedHours);

/// <summary>
/// Messages between the person and their care team (issue 14.5). The person writes from their own
/// space, or answers a caring message by text or email; each message is kept whole in the thread,
/// audited as the person's own action, and waits on the care team's worklist until someone answers.
/// Nothing reads, sorts or scores what the person wrote (rule 1): a person reads every one. Outside
/// staffed hours the person is answered at once with when it will be read and the crisis lines.
/// </summary>
public static class PersonMessages
{
    public enum Received
    {
        Kept,

        /// <summary>The same message (by its gateway or mail id) arrived before: kept once, answered once.</summary>
        AlreadyKept,
    }

    public sealed record Waiting(Guid MessageId, Guid PersonId, string GivenName, string FamilyName, ThreadChannel Channel, DateTimeOffset At);

    /// <summary>SHA-256 of a gateway's or mail server's message id, as stored: the id itself can carry a phone number.</summary>
    public static string HashExternalId(string channel, string id) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{channel}:{id}")));

    /// <summary>Keeps what the person wrote, and answers at once outside staffed hours. Saves.</summary>
    public static async Task<Result<Received>> FromThePerson(
        AftercareDbContext db, TimeProvider clock, LocalTime time, PersonVoiceSettings settings, Guid personId, ThreadChannel channel, string? text, string? externalId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(settings);
        var hash = externalId is null ? null : HashExternalId(channel.ToString(), externalId);
        if (hash is not null && await db.PersonMessages.AnyAsync(m => m.ExternalIdHash == hash, ct))
        {
            return Received.AlreadyKept;
        }

        var now = clock.GetUtcNow();
        // A reply by text or email answers the last caring message sent that way; one in /my answers nothing in particular.
        var sentBy = channel switch { ThreadChannel.Text => MessageChannel.Sms, ThreadChannel.Email => MessageChannel.Email, _ => (MessageChannel?)null };
        Guid? inResponseTo = sentBy is { } how
            ? await db.OutboxMessages.Where(m => m.PersonId == personId && m.Channel == how && m.Status == MessageStatus.Sent && m.Kind != MessageKind.AnswerToThePerson)
                .OrderByDescending(m => m.SentAt).Select(m => (Guid?)m.Id).FirstOrDefaultAsync(ct)
            : null;
        var written = PersonMessage.FromThePerson(personId, channel, text, inResponseTo, hash, now);
        if (!written.IsSuccess)
        {
            return Result<Received>.Failure(written.Errors);
        }

        var message = written.Value;
        db.PersonMessages.Add(message);
        db.Audit(clock, Actor.ThePerson(personId), AuditAction.PersonMessageReceived, AuditPurpose.DirectCare, personId, message.Id.ToString());
        var local = time.ToLocal(now);
        if (!settings.Hours.IsStaffed(local))
        {
            var answer = PersonMessage.OutOfHours(message, OutOfHoursText(settings, time.FromLocal(settings.Hours.NextStaffed(local)), time), now);
            db.PersonMessages.Add(answer);
            await QueueBack(db, personId, channel, "Thank you for your message", answer.Text, now, ct);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (hash is not null)
        {
            // Delivered twice at the same moment: the unique id kept one.
            db.ChangeTracker.Clear();
            return Received.AlreadyKept;
        }

        return Received.Kept;
    }

    /// <summary>What the person reads at once outside staffed hours: when it will be read, and where to turn now.</summary>
    public static string OutOfHoursText(PersonVoiceSettings settings, DateTimeOffset readFrom, LocalTime time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        var when = time.ToLocal(readFrom).ToString("dddd d MMMM 'from' HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        return $"Thank you for your message. Someone in your care team will read it on {when}. If you need help now: {settings.CrisisLines}.";
    }

    /// <summary>The care team answers from the record, on the channel the person used. Saves.</summary>
    public static async Task<Result<PersonMessage>> Answer(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid messageId, string? text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var to = await db.PersonMessages.FirstOrDefaultAsync(m => m.Id == messageId && m.PersonId == personId && m.Author == ThreadAuthor.ThePerson, ct);
        if (to is null)
        {
            return Result<PersonMessage>.Failure(Error.NotFound("message", "There is no such message from this person."));
        }

        var now = clock.GetUtcNow();
        var answer = PersonMessage.Answer(to, text, actor.Email, now);
        if (!answer.IsSuccess)
        {
            return answer;
        }

        db.PersonMessages.Add(answer.Value);
        // Everything the person wrote before is answered by this too: the thread is one conversation.
        foreach (var earlier in await db.PersonMessages.Where(m => m.PersonId == personId && m.Author == ThreadAuthor.ThePerson && m.AnsweredAt == null && m.At <= to.At && m.Id != to.Id).ToListAsync(ct))
        {
            earlier.MarkAnswered(actor.Email, now);
        }

        var queued = await QueueBack(db, personId, to.Channel, "A message from your care team", answer.Value.Text, now, ct);
        if (queued is { IsSuccess: false } refused)
        {
            return Result<PersonMessage>.Failure(refused.Errors);
        }

        db.Audit(clock, actor, AuditAction.PersonMessageAnswered, AuditPurpose.DirectCare, personId, answer.Value.Id.ToString());
        await db.SaveChangesAsync(ct);
        return answer;
    }

    /// <summary>Read and dealt with another way (a call, say): off the worklist without a written answer. Saves.</summary>
    public static async Task<bool> MarkDealtWith(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid messageId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var message = await db.PersonMessages.FirstOrDefaultAsync(m => m.Id == messageId && m.PersonId == personId && m.Author == ThreadAuthor.ThePerson, ct);
        if (message is null)
        {
            return false;
        }

        message.MarkAnswered(actor.Email, clock.GetUtcNow());
        db.Audit(clock, actor, AuditAction.PersonMessageAnswered, AuditPurpose.DirectCare, personId, message.Id.ToString());
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>The whole thread, oldest first (the page reading it audits the reading).</summary>
    public static async Task<IReadOnlyList<PersonMessage>> Thread(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return [.. (await db.PersonMessages.AsNoTracking().Where(m => m.PersonId == personId).ToListAsync(ct)).OrderBy(m => m.At).ThenBy(m => m.Author)];
    }

    /// <summary>Messages from people in the user's care team waiting for an answer, oldest first: the worklist's "Messages from people".</summary>
    public static async Task<IReadOnlyList<Waiting>> WaitingForAnswer(AftercareDbContext db, string userId, CancellationToken ct)
    {
        var rows = await Unanswered(db, userId)
            .Join(db.People, m => m.PersonId, p => p.Id, (m, p) => new Waiting(m.Id, m.PersonId, p.GivenName, p.FamilyName, m.Channel, m.At))
            .ToListAsync(ct);
        return [.. rows.OrderBy(r => r.At)];
    }

    /// <summary>The messages of <see cref="WaitingForAnswer"/>, as a query (the navigation badge counts them with the rest, <c>Worklist.BadgeCount</c>).</summary>
    public static IQueryable<PersonMessage> Unanswered(AftercareDbContext db, string userId)
    {
        ArgumentNullException.ThrowIfNull(db);
        var careTeam = Access.RecordAccess.CareTeam(db, userId);
        return db.PersonMessages.AsNoTracking().Where(m => m.Author == ThreadAuthor.ThePerson && m.AnsweredAt == null && careTeam.Contains(m.PersonId));
    }

    /// <summary>How long a message has waited, as the worklist says it: "3 hours", "2 days".</summary>
    public static string Waited(DateTimeOffset since, DateTimeOffset now)
    {
        var waited = now - since;
        return waited.TotalHours < 1 ? "less than an hour"
            : waited.TotalHours < 48 ? Words.Count((int)waited.TotalHours, "hour")
            : Words.Count((int)waited.TotalDays, "day");
    }

    /// <summary>An answer by text or email goes back the way the person wrote; one written in /my stays there.</summary>
    private static async Task<Result<OutboxMessage>?> QueueBack(AftercareDbContext db, Guid personId, ThreadChannel channel, string subject, string text, DateTimeOffset now, CancellationToken ct)
    {
        if (channel == ThreadChannel.MySpace)
        {
            return null;
        }

        var how = channel == ThreadChannel.Text ? MessageChannel.Sms : MessageChannel.Email;
        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == personId, ct);
        var message = OutboxMessage.Schedule(personId, null, MessageKind.AnswerToThePerson, how, CaringMessages.AddressFor(person, how), subject, text, null, now, now);
        if (message.IsSuccess)
        {
            db.OutboxMessages.Add(message.Value);
        }

        return message;
    }
}
