namespace Aftercare.Domain.Programme;

/// <summary>How the person would like to be contacted when they ask to talk.</summary>
public enum TalkHow
{
    PhoneCall = 0,
    TextMessage = 1,
    Email = 2,
    VideoCall = 3,
    FaceToFace = 4,
}

/// <summary>When in the day the person would like it.</summary>
public enum TalkWhen
{
    AnyTime = 0,
    Morning = 1,
    Afternoon = 2,
    Evening = 3,
}

public static class TalkLabels
{
    public static string Describe(this TalkHow how) => how switch
    {
        TalkHow.PhoneCall => "A phone call",
        TalkHow.TextMessage => "A text message",
        TalkHow.Email => "An email",
        TalkHow.VideoCall => "A video call",
        TalkHow.FaceToFace => "Meeting face to face",
        _ => "Any way",
    };

    public static string Describe(this TalkWhen when) => when switch
    {
        TalkWhen.Morning => "In the morning",
        TalkWhen.Afternoon => "In the afternoon",
        TalkWhen.Evening => "In the evening",
        _ => "Any time",
    };
}

/// <summary>
/// "I'd like to talk to someone" (issue 14.6): the person asks from their own space, says when and
/// how they prefer, and it is on their care team's worklist, due within the service's staffed hours,
/// until someone has been in touch.
/// </summary>
public sealed class TalkRequest
{
    public const int MaxNote = 1000;

    private TalkRequest()
    {
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public TalkHow How { get; private set; }

    public TalkWhen When { get; private set; }

    /// <summary>Anything the person wants to add, in their words (encrypted at rest); optional.</summary>
    public string? Note { get; private set; }

    public DateTimeOffset AskedAt { get; private set; }

    /// <summary>When someone should have been in touch: within the staffed hours after asking.</summary>
    public DateTimeOffset DueBy { get; private set; }

    public DateTimeOffset? DoneAt { get; private set; }

    public string? DoneBy { get; private set; }

    public static Result<TalkRequest> Ask(Guid personId, TalkHow how, TalkWhen when, string? note, DateTimeOffset dueBy, DateTimeOffset now)
    {
        var errors = new Errors();
        errors.AddIf(!Enum.IsDefined(how), "how", "Choose how you would like us to get in touch.");
        errors.AddIf(!Enum.IsDefined(when), "when", "Choose when suits you.");
        errors.AddIf(note is { Length: > MaxNote }, "note", $"That is more than {MaxNote} characters: make it a little shorter, or tell us when we talk.");
        return errors.Any
            ? Result<TalkRequest>.Failure(errors.List)
            : new TalkRequest
            {
                Id = Guid.CreateVersion7(now),
                PersonId = personId,
                How = how,
                When = when,
                Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
                AskedAt = now,
                DueBy = dueBy,
            };
    }

    /// <summary>Someone was in touch; the first time counts.</summary>
    public void Done(string by, DateTimeOffset now)
    {
        if (DoneAt is null)
        {
            (DoneAt, DoneBy) = (now, by);
        }
    }
}
