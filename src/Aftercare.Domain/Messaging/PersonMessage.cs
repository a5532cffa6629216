namespace Aftercare.Domain.Messaging;

/// <summary>How a message in the thread came or went.</summary>
public enum ThreadChannel
{
    /// <summary>Written in the person's own space, /my/messages.</summary>
    MySpace = 0,

    /// <summary>A text message, through the SMS gateway's inbound webhook.</summary>
    Text = 1,

    /// <summary>An email to the reply address, read over IMAP.</summary>
    Email = 2,
}

/// <summary>Who wrote a message in the thread.</summary>
public enum ThreadAuthor
{
    ThePerson = 0,

    /// <summary>A member of the care team, answering from the record.</summary>
    CareTeam = 1,

    /// <summary>The immediate answer outside staffed hours: when someone will read it, and the crisis lines.</summary>
    OutOfHoursAnswer = 2,
}

/// <summary>
/// One message between the person and their care team (issue 14.5): a reply to a caring message,
/// or a note the person wrote in their own space, or the team's answer. Every message the person
/// writes is read by a person: nothing here classifies or scores what they wrote (rule 1). Until
/// someone answers it, it is on the care team's worklist, oldest first.
/// </summary>
public sealed class PersonMessage
{
    public const int MaxText = 4000;

    private PersonMessage()
    {
        Text = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public ThreadAuthor Author { get; private set; }

    public ThreadChannel Channel { get; private set; }

    /// <summary>What was written, as written (encrypted at rest).</summary>
    public string Text { get; private set; }

    public DateTimeOffset At { get; private set; }

    /// <summary>The message this one answers: a caring message sent (an outbox id) or a message in the thread.</summary>
    public Guid? InResponseTo { get; private set; }

    /// <summary>The staff member's sign-in name, for the care team's answers.</summary>
    public string? WrittenBy { get; private set; }

    /// <summary>SHA-256 of the gateway's or mail server's id for it: the same message delivered twice is kept once.</summary>
    public string? ExternalIdHash { get; private set; }

    /// <summary>When someone in the care team answered the person's message (or marked it read and dealt with).</summary>
    public DateTimeOffset? AnsweredAt { get; private set; }

    public string? AnsweredBy { get; private set; }

    public bool WaitingForAnswer => Author == ThreadAuthor.ThePerson && AnsweredAt is null;

    /// <summary>What the person wrote. Nothing is refused for its words: only empty or too long.</summary>
    public static Result<PersonMessage> FromThePerson(Guid personId, ThreadChannel channel, string? text, Guid? inResponseTo, string? externalIdHash, DateTimeOffset now)
    {
        var errors = Check(text);
        return errors.Any
            ? Result<PersonMessage>.Failure(errors.List)
            : new PersonMessage
            {
                Id = Guid.CreateVersion7(now),
                PersonId = personId,
                Author = ThreadAuthor.ThePerson,
                Channel = channel,
                Text = text!.Trim(),
                At = now,
                InResponseTo = inResponseTo,
                ExternalIdHash = externalIdHash,
            };
    }

    /// <summary>The care team's answer to the person's message, on the channel the person used.</summary>
    public static Result<PersonMessage> Answer(PersonMessage to, string? text, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(to);
        var errors = Check(text, "Write your answer.");
        errors.AddIf(to.Channel == ThreadChannel.Text && text is { Length: > 320 }, "text", "An answer by text message can be at most 320 characters.");
        if (errors.Any)
        {
            return Result<PersonMessage>.Failure(errors.List);
        }

        to.MarkAnswered(by, now);
        return new PersonMessage
        {
            Id = Guid.CreateVersion7(now),
            PersonId = to.PersonId,
            Author = ThreadAuthor.CareTeam,
            Channel = to.Channel,
            Text = text!.Trim(),
            At = now,
            InResponseTo = to.Id,
            WrittenBy = by,
        };
    }

    /// <summary>The automatic answer outside staffed hours. It does not count as an answer: the message stays on the worklist.</summary>
    public static PersonMessage OutOfHours(PersonMessage to, string text, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(to);
        return new PersonMessage
        {
            Id = Guid.CreateVersion7(now),
            PersonId = to.PersonId,
            Author = ThreadAuthor.OutOfHoursAnswer,
            Channel = to.Channel,
            Text = text,
            At = now,
            InResponseTo = to.Id,
        };
    }

    /// <summary>Read and dealt with (talked about on the phone, say) without a written answer; the first time counts.</summary>
    public void MarkAnswered(string by, DateTimeOffset now)
    {
        if (AnsweredAt is null)
        {
            (AnsweredAt, AnsweredBy) = (now, by);
        }
    }

    private static Errors Check(string? text, string empty = "Write your message.")
    {
        var errors = new Errors();
        errors.AddIf(string.IsNullOrWhiteSpace(text), "text", empty);
        errors.AddIf(text is { Length: > MaxText }, "text", $"A message can be at most {MaxText} characters.");
        return errors;
    }
}
