using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.People;
using Aftercare.Domain.Programme;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Messaging;

/// <summary>Caring contacts: brief scheduled messages, and invitations to agreed contacts (docs/domain.md rule 11).</summary>
public static class CaringMessages
{
    /// <summary>The channel for messages to this person, from their preference; null when they prefer calls or letters.</summary>
    public static MessageChannel? ChannelFor(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        return person.PreferredChannel switch
        {
            ContactChannel.Email => MessageChannel.Email,
            ContactChannel.TextMessage => MessageChannel.Sms,
            _ => null,
        };
    }

    public static string? AddressFor(Person person, MessageChannel channel) => channel == MessageChannel.Email ? person.Email : person.Phone;

    /// <summary>
    /// Adds the pathway's caring messages for an episode to the unit of work in hand, so they commit
    /// with the enrolment. Nothing is scheduled for someone who opted out or prefers calls or letters.
    /// </summary>
    public static async Task<int> ScheduleForEpisode(
        AftercareDbContext db, Person person, Episode episode, Pathway pathway, Func<DateTimeOffset, int, DateTimeOffset> dayAfter, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(episode);
        ArgumentNullException.ThrowIfNull(pathway);
        ArgumentNullException.ThrowIfNull(dayAfter);
        var preferences = await db.MessagePreferences.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == person.Id, ct);
        if (preferences?.OptedOut == true || ChannelFor(person) is not { } channel || !pathway.Channels.Contains(person.PreferredChannel))
        {
            return 0;
        }

        var address = AddressFor(person, channel);
        var scheduled = 0;
        foreach (var setting in pathway.CaringMessages.OrderBy(m => m.Day))
        {
            var message = OutboxMessage.Schedule(person.Id, episode.Id, MessageKind.CaringContact, channel, address,
                "Thinking of you", setting.Text, null, dayAfter(episode.DischargedAt, setting.Day), now);
            if (message.IsSuccess)
            {
                db.OutboxMessages.Add(message.Value);
                scheduled++;
            }
        }

        return scheduled;
    }

    /// <summary>
    /// Cancels what is still waiting for an episode (its schedule restarted, or it closed), keeping
    /// why by name, for staff to read as "Not sent: …" (issue 11: "Not sent" said nothing about why).
    /// </summary>
    public static Task<int> CancelPending(AftercareDbContext db, Guid episodeId, NotSentBecause why, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var reason = why.ToString();
        return db.OutboxMessages.Where(m => m.EpisodeId == episodeId && m.Status == MessageStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Cancelled).SetProperty(m => m.LastError, reason), ct);
    }

    /// <summary>Cancels everything still waiting for a person, saying why (they opted out, or withdrew consent).</summary>
    public static Task<int> CancelAllPending(AftercareDbContext db, Guid personId, NotSentBecause why, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var reason = why.ToString();
        return db.OutboxMessages.Where(m => m.PersonId == personId && m.Status == MessageStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Cancelled).SetProperty(m => m.LastError, reason), ct);
    }

    /// <summary>An email invitation, with an iCalendar file, to a contact agreed with the person.</summary>
    public static Result<OutboxMessage> Invitation(Person person, Guid episodeId, Guid contactId, DateTimeOffset at, string when, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(person);
        var calendar = new Calendar { Method = "REQUEST" };
        calendar.Events.Add(new CalendarEvent
        {
            Uid = $"{contactId}@aftercare",
            Summary = "Aftercare check-in",
            Description = "A call from your aftercare team, as agreed.",
            DtStart = new CalDateTime(at.UtcDateTime, "UTC"),
            DtEnd = new CalDateTime(at.UtcDateTime.AddMinutes(20), "UTC"),
        });
        var ics = new CalendarSerializer().SerializeToString(calendar);
        return OutboxMessage.Schedule(person.Id, episodeId, MessageKind.AppointmentInvitation, MessageChannel.Email, person.Email,
            "Your next aftercare check-in", $"As agreed, your aftercare team will be in touch on {when}. The invitation is attached.", ics, now, now);
    }

    /// <summary>
    /// A private link to the person by text or email (the feedback form, their safety plan), to add
    /// to the unit of work in hand. Refused, with what to do instead, if they opted out of messages.
    /// </summary>
    public static async Task<Result<OutboxMessage>> LinkMessage(
        AftercareDbContext db, Guid personId, Guid? episodeId, MessageKind kind, MessageChannel channel, string subject, string body, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == personId, ct);
        var preferences = await db.MessagePreferences.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == personId, ct);
        if (preferences?.OptedOut == true)
        {
            return Result<OutboxMessage>.Failure("how", "The person has opted out of messages; nothing is sent. Show them the link instead, if they would like it.");
        }

        // The form's choice is "how": a missing address is told beside it.
        var message = OutboxMessage.Schedule(personId, episodeId, kind, channel, AddressFor(person, channel), subject, body, null, now, now);
        return message.IsSuccess ? message : Result<OutboxMessage>.Failure([.. message.Errors.Select(e => e.Field == "channel" ? e with { Field = "how" } : e)]);
    }

    /// <summary>A message written now by a member of staff, sent by the worker.</summary>
    public static async Task<Result<OutboxMessage>> SendNow(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, MessageChannel? channel, string? body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return Result<OutboxMessage>.Failure("personId", "That person was not found.");
        }

        if (channel is not { } how)
        {
            return Result<OutboxMessage>.Failure("channel", "Choose email or text message.");
        }

        var preferences = await db.MessagePreferences.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == personId, ct);
        if (preferences?.OptedOut == true)
        {
            return Result<OutboxMessage>.Failure("channel", "The person has opted out of messages; nothing is sent. Contact them another way if you need to.");
        }

        var now = clock.GetUtcNow();
        var message = OutboxMessage.Schedule(personId, null, MessageKind.CaringContact, how, AddressFor(person, how), "A message from your aftercare team", body ?? "", null, now, now);
        if (!message.IsSuccess)
        {
            return message;
        }

        db.OutboxMessages.Add(message.Value);
        db.Audit(clock, actor, AuditAction.MessageQueued, AuditPurpose.DirectCare, personId, message.Value.Id.ToString());
        await db.SaveChangesAsync(ct);
        return message;
    }

    /// <summary>Staff record the person's choices: no messages, hours not to contact, language.</summary>
    public static async Task<Result<MessagePreferences>> SetPreferences(
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

        db.Audit(clock, actor, AuditAction.MessagePreferencesChanged, AuditPurpose.DirectCare, personId);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        if (optedOut)
        {
            await CancelAllPending(db, personId, NotSentBecause.OptedOut, ct);
        }

        await transaction.CommitAsync(ct);
        return set;
    }

    /// <summary>The person stops caring messages from a link in one of them; no sign-in, and what is waiting is cancelled.</summary>
    public static async Task<bool> OptOut(AftercareDbContext db, TimeProvider clock, string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (string.IsNullOrWhiteSpace(token) || token.Length > 64)
        {
            return false;
        }

        // Found by the token's hash: the token itself is never compared in the database.
        var hash = OutboxMessage.HashToken(token);
        var message = await db.OutboxMessages.AsNoTracking().FirstOrDefaultAsync(m => m.OptOutTokenHash == hash, ct);
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
        await CancelAllPending(db, message.PersonId, NotSentBecause.OptedOutByLink, ct);
        await transaction.CommitAsync(ct);
        return true;
    }
}
