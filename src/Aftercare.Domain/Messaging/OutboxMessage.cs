namespace Aftercare.Domain.Messaging;

public enum MessageChannel
{
    Email,
    Sms,
}

public enum MessageStatus
{
    Pending,
    Sent,

    /// <summary>Gave up after the configured tries; staff see it on the person's record.</summary>
    Failed,

    /// <summary>Not sent: the person opted out, or the episode closed or restarted, before it was due (<see cref="OutboxMessage.NotSentReason"/> says which).</summary>
    Cancelled,
}

/// <summary>Why a message was not sent. Kept by name in <see cref="OutboxMessage.LastError"/> of a cancelled message.</summary>
public enum NotSentBecause
{
    /// <summary>Staff recorded that the person wants no caring messages.</summary>
    OptedOut,

    /// <summary>The person followed the stop link in one of their messages.</summary>
    OptedOutByLink,

    /// <summary>The person withdrew their consent to receive messages.</summary>
    ConsentWithdrawn,

    /// <summary>The aftercare episode closed before the message was due.</summary>
    EpisodeClosed,

    /// <summary>The person came back and their schedule restarted: its messages replace these.</summary>
    ScheduleRestarted,
}

public static class NotSentReasons
{
    /// <summary>What staff read in the message's state: "Not sent" always says why.</summary>
    public static string Label(NotSentBecause? why) => why switch
    {
        NotSentBecause.OptedOut => "Not sent: the person asked for no messages",
        NotSentBecause.OptedOutByLink => "Not sent: the person opted out by the link in a message",
        NotSentBecause.ConsentWithdrawn => "Not sent: the person withdrew consent to messages",
        NotSentBecause.EpisodeClosed => "Not sent: the aftercare episode was closed",
        NotSentBecause.ScheduleRestarted => "Not sent: the schedule restarted when the person came back",
        // Cancelled before reasons were kept: every cause then was one of the above.
        _ => "Not sent: stopped before it was due (the person opted out, or the episode closed or restarted)",
    };
}

public enum MessageKind
{
    CaringContact,
    AppointmentInvitation,

    /// <summary>A private link to the short feedback form (docs/domain.md rule 14).</summary>
    FeedbackInvitation,

    /// <summary>The private link to the person's own safety plan (docs/domain.md rule 7).</summary>
    SafetyPlanLink,

    /// <summary>
    /// An answer to what the person wrote (issue 14.5): the care team's, or the immediate one outside
    /// staffed hours. They wrote first, so it goes at once: not held for quiet hours or opt-out.
    /// </summary>
    AnswerToThePerson,
}

/// <summary>
/// A brief caring message or an invitation waiting to be sent (FHIR CommunicationRequest →
/// Communication). It is written in the same transaction as whatever scheduled it, and a worker
/// sends it later with retries (a transactional outbox).
/// </summary>
public sealed class OutboxMessage
{
    private OutboxMessage()
    {
        To = "";
        Subject = "";
        Body = "";
        OptOutToken = "";
        OptOutTokenHash = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public Guid? EpisodeId { get; private set; }

    public MessageKind Kind { get; private set; }

    public MessageChannel Channel { get; private set; }

    public string To { get; private set; }

    public string Subject { get; private set; }

    public string Body { get; private set; }

    /// <summary>An iCalendar invitation attached to an email, when there is one.</summary>
    public string? Calendar { get; private set; }

    public DateTimeOffset DueAt { get; private set; }

    public MessageStatus Status { get; private set; }

    public int Attempts { get; private set; }

    /// <summary>
    /// Why the last try failed: the kind of failure only, never the message or address. For a
    /// cancelled message, why it was not sent (a <see cref="NotSentBecause"/> name).
    /// </summary>
    public string? LastError { get; private set; }

    /// <summary>Why a cancelled message was not sent; null for any other, or when it was cancelled before reasons were kept.</summary>
    public NotSentBecause? NotSentReason =>
        Status == MessageStatus.Cancelled && Enum.TryParse<NotSentBecause>(LastError, out var why) && Enum.IsDefined(why) ? why : null;

    public DateTimeOffset? SentAt { get; private set; }

    /// <summary>Which worker holds it, and until when; an expired claim can be taken over.</summary>
    public string? ClaimedBy { get; private set; }

    public DateTimeOffset? ClaimedUntil { get; private set; }

    /// <summary>
    /// The random token in the message's opt-out link; it works without signing in. The worker puts
    /// it in the link when it sends, so it is kept until then, encrypted at rest (ADR 0009).
    /// </summary>
    public string OptOutToken { get; private set; }

    /// <summary>SHA-256 of <see cref="OptOutToken"/> (<see cref="PrivateLinkToken"/>): a link is found by its hash, never by the token itself.</summary>
    public string OptOutTokenHash { get; private set; }

    /// <summary>
    /// The message as it leaves: a copy with the team's sign-off after the body. The stored message
    /// keeps the body as written, and the copy is never saved.
    /// </summary>
    public OutboxMessage SignedOff(string signOff)
    {
        var copy = (OutboxMessage)MemberwiseClone();
        if (!string.IsNullOrWhiteSpace(signOff))
        {
            copy.Body = Channel == MessageChannel.Email ? $"{Body}\n\n{signOff.Trim()}" : $"{Body} {signOff.Trim()}";
        }

        return copy;
    }

    public static Result<OutboxMessage> Schedule(
        Guid personId, Guid? episodeId, MessageKind kind, MessageChannel channel, string? to, string subject, string body, string? calendar, DateTimeOffset dueAt, DateTimeOffset now)
    {
        var errors = new Errors();
        errors.AddIf(string.IsNullOrWhiteSpace(to), "channel", channel == MessageChannel.Email
            ? "The person has no email address: add one, or choose a text message."
            : "The person has no mobile number: add one, or choose email.");
        errors.AddIf(string.IsNullOrWhiteSpace(body), "body", "Write the message.");
        errors.AddIf(channel == MessageChannel.Sms && body.Length > 320, "body", "A text message can be at most 320 characters.");
        errors.AddIf(body.Length > 4000, "body", "A message can be at most 4000 characters.");
        errors.AddIf(dueAt < now.AddMinutes(-1), "dueAt", "A message cannot be scheduled in the past.");
        if (errors.Any)
        {
            return Result<OutboxMessage>.Failure(errors.List);
        }

        return new OutboxMessage
        {
            Id = Guid.CreateVersion7(now),
            PersonId = personId,
            EpisodeId = episodeId,
            Kind = kind,
            Channel = channel,
            To = to!.Trim(),
            Subject = subject,
            Body = body.Trim(),
            Calendar = calendar,
            DueAt = dueAt,
            Status = MessageStatus.Pending,
        }.WithOptOutToken(PrivateLinkToken.New(24));
    }

    /// <summary>
    /// The person chose another way to be contacted (issue 14.7): a caring message still waiting goes
    /// that way instead. False when it cannot (sent already, not a caring message, too long for a text).
    /// </summary>
    public bool Redirect(MessageChannel channel, string to)
    {
        if (Status != MessageStatus.Pending || Kind != MessageKind.CaringContact || string.IsNullOrWhiteSpace(to)
            || (channel == MessageChannel.Sms && Body.Length > 320))
        {
            return false;
        }

        (Channel, To) = (channel, to.Trim());
        return true;
    }

    /// <summary>The person started caring messages again: one stopped only because they had asked for none, and still ahead, waits to be sent again.</summary>
    public bool Reinstate(DateTimeOffset now)
    {
        if (Status != MessageStatus.Cancelled || NotSentReason is not (NotSentBecause.OptedOut or NotSentBecause.OptedOutByLink) || DueAt <= now)
        {
            return false;
        }

        (Status, LastError) = (MessageStatus.Pending, null);
        return true;
    }

    private OutboxMessage WithOptOutToken(PrivateLinkToken token)
    {
        OptOutToken = token.Token;
        OptOutTokenHash = token.Hash;
        return this;
    }
}

/// <summary>
/// The person's choices about messages (docs/domain.md rule 8): whether they receive caring messages at
/// all, hours not to contact them, and their language.
/// </summary>
public sealed class MessagePreferences
{
    private MessagePreferences()
    {
        Language = "en";
    }

    public MessagePreferences(Guid personId)
        : this() => PersonId = personId;

    public Guid PersonId { get; private set; }

    public DateTimeOffset? OptedOutAt { get; private set; }

    public TimeOnly? QuietFrom { get; private set; }

    public TimeOnly? QuietUntil { get; private set; }

    public string Language { get; private set; }

    public bool OptedOut => OptedOutAt is not null;

    /// <summary>When the person last made these choices themselves, in their own space (issue 14.7); null when staff recorded them.</summary>
    public DateTimeOffset? ChosenByThePersonAt { get; private set; }

    /// <summary>Whose choice the current one is: the person's own, or recorded by staff.</summary>
    public void RecordedBy(bool thePerson, DateTimeOffset now) => ChosenByThePersonAt = thePerson ? now : null;

    public void OptOut(DateTimeOffset now) => OptedOutAt ??= now;

    public void OptBackIn() => OptedOutAt = null;

    public Result<MessagePreferences> SetQuietHours(TimeOnly? from, TimeOnly? until, string? language)
    {
        if ((from is null) != (until is null))
        {
            return Result<MessagePreferences>.Failure("quietFrom", "Give both the start and the end of the hours not to contact, or neither.");
        }

        (QuietFrom, QuietUntil) = (from, until);
        Language = string.IsNullOrWhiteSpace(language) ? "en" : language.Trim();
        return this;
    }

    /// <summary>The first local time at or after <paramref name="local"/> outside the quiet hours.</summary>
    public DateTime OutsideQuietHours(DateTime local)
    {
        if (QuietFrom is not { } from || QuietUntil is not { } until)
        {
            return local;
        }

        var time = TimeOnly.FromDateTime(local);
        var quiet = from <= until ? time >= from && time < until : time >= from || time < until;
        if (!quiet)
        {
            return local;
        }

        var day = DateOnly.FromDateTime(local);
        var end = day.ToDateTime(until);
        return end <= local ? end.AddDays(1) : end;
    }
}
