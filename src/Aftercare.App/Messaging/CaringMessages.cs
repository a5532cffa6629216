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

/// <summary>
/// What the messaging use cases share (docs/domain.md rule 11): the channel and address for a person, the
/// pathway's caring messages, invitations and private-link messages, and cancelling what is still waiting.
/// </summary>
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

    /// <summary>
    /// The iCalendar file for a contact agreed with the person: attached to the email invitation
    /// (REQUEST), and downloaded from their own space (PUBLISH). The same event id, so a calendar
    /// that has one keeps one.
    /// </summary>
    public static string CalendarFile(Guid contactId, DateTimeOffset at, string method)
    {
        var calendar = new Calendar { Method = method };
        calendar.Events.Add(new CalendarEvent
        {
            Uid = $"{contactId}@aftercare",
            Summary = "Aftercare check-in",
            Description = "A call from your aftercare team, as agreed.",
            DtStart = new CalDateTime(at.UtcDateTime, "UTC"),
            DtEnd = new CalDateTime(at.UtcDateTime.AddMinutes(20), "UTC"),
        });
        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    /// <summary>An email invitation, with an iCalendar file, to a contact agreed with the person.</summary>
    public static Result<OutboxMessage> Invitation(Person person, Guid episodeId, Guid contactId, DateTimeOffset at, string when, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(person);
        var ics = CalendarFile(contactId, at, "REQUEST");
        return OutboxMessage.Schedule(person.Id, episodeId, MessageKind.AppointmentInvitation, MessageChannel.Email, person.Email,
            "Your next aftercare check-in", $"As agreed, your aftercare team will be in touch on {when}. The invitation is attached.", ics, now, now);
    }

    /// <summary>
    /// A private link to the person by text or email (the feedback form, their safety plan), queued in
    /// the unit of work in hand and audited. Refused, with what to do instead, if they opted out of messages.
    /// </summary>
    public static async Task<Result<OutboxMessage>> QueueLinkMessage(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid? episodeId, MessageKind kind, MessageChannel channel, string subject, string body, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == personId, ct);
        var preferences = await db.MessagePreferences.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == personId, ct);
        if (preferences?.OptedOut == true)
        {
            return Result<OutboxMessage>.Failure(Error.Refused("The person has opted out of messages; nothing is sent. Show them the link instead, if they would like it.", "how"));
        }

        // The form's choice is "how": a missing address is told beside it.
        var message = OutboxMessage.Schedule(personId, episodeId, kind, channel, AddressFor(person, channel), subject, body, null, now, now);
        if (!message.IsSuccess)
        {
            return Result<OutboxMessage>.Failure([.. message.Errors.Select(e => e.Field == "channel" ? e with { Field = "how" } : e)]);
        }

        db.OutboxMessages.Add(message.Value);
        db.Audit(clock, actor, AuditAction.MessageQueued, AuditPurpose.DirectCare, personId, message.Value.Id.ToString());
        return message;
    }
}
