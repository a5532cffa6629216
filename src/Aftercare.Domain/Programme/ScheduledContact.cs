using Aftercare.Domain.People;

namespace Aftercare.Domain.Programme;

/// <summary>One try at a contact: who, how, what came of it, and the person's own news first.</summary>
/// <param name="WhyTriedAgainSoon">
/// Why a try not reached follows the one before within <see cref="RetryRules.SoonAfterMinutes"/>
/// minutes (another number, a call back that was missed): three tries a minute apart are one try.
/// </param>
public sealed record ContactAttempt(
    DateTimeOffset At, ContactChannel Channel, ContactOutcome Outcome, string? HowTheyAreFeeling, string? WhatIsGoingOn, string? Notes, string By,
    string? WhyTriedAgainSoon = null);

/// <summary>Retry rules for a contact the person did not answer.</summary>
public sealed record RetryRules(int RetryAfterHours, int TriesBeforeEscalation)
{
    public static RetryRules Default { get; } = new(24, 3);

    /// <summary>A try not reached this soon after the one before needs a reason: escalation counts real tries.</summary>
    public const int SoonAfterMinutes = 15;

    /// <summary>A first contact past its deadline is tried again within this many hours at most: it is already late.</summary>
    public const int AfterDeadlineRetryHours = 4;

    /// <summary>
    /// When to try again after a try not reached. A first contact keeps its deadline (NG225: within
    /// 48 hours of discharge): the next try falls halfway to the deadline, never later than the
    /// usual retry; past the deadline, within <see cref="AfterDeadlineRetryHours"/> hours. Other
    /// contacts: after the usual retry.
    /// </summary>
    public DateTimeOffset NextTry(ContactKind kind, DateTimeOffset deadline, DateTimeOffset now)
    {
        var usual = TimeSpan.FromHours(RetryAfterHours);
        if (kind != ContactKind.FirstContact)
        {
            return now + usual;
        }

        if (deadline <= now)
        {
            return now + TimeSpan.FromHours(Math.Min(RetryAfterHours, AfterDeadlineRetryHours));
        }

        var halfway = (deadline - now) / 2;
        return now + (halfway < usual ? halfway : usual);
    }
}

/// <summary>
/// A contact due in an aftercare episode (FHIR Task / Appointment). Not reached: it is tried
/// again, and after the configured number of tries it is escalated to the care team. It is never
/// dropped for not answering.
/// </summary>
public sealed class ScheduledContact
{
    private ScheduledContact()
    {
    }

    internal ScheduledContact(Guid episodeId, Guid personId, ContactKind kind, DateTimeOffset dueAt, DateTimeOffset now)
    {
        Id = Guid.CreateVersion7(now);
        EpisodeId = episodeId;
        PersonId = personId;
        Kind = kind;
        DueAt = dueAt;
        OriginallyDueAt = dueAt;
        Status = ContactStatus.Due;
    }

    public Guid Id { get; private set; }

    public Guid EpisodeId { get; private set; }

    public Guid PersonId { get; private set; }

    public ContactKind Kind { get; private set; }

    public DateTimeOffset DueAt { get; private set; }

    public DateTimeOffset OriginallyDueAt { get; private set; }

    public ContactStatus Status { get; private set; }

    public int NotReachedCount { get; private set; }

    public DateTimeOffset? EscalatedAt { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    public ContactOutcome? Outcome { get; private set; }

    /// <summary>Each try, in order; appended only by <see cref="Record"/> (stored encrypted as JSON).</summary>
    public IReadOnlyList<ContactAttempt> Attempts { get; private set; } = [];

    /// <summary>Optimistic concurrency: two workers recording the same contact never both win.</summary>
    public int Version { get; private set; }

    /// <summary>When the contact had to be made by: for a first contact, 48 hours (the pathway's hours) after discharge; a retry does not move it.</summary>
    public DateTimeOffset Deadline => OriginallyDueAt;

    public Result<ScheduledContact> Record(ContactAttempt attempt, RetryRules rules, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(rules);
        var errors = new Errors();
        errors.RefuseIf(Status != ContactStatus.Due, "contact", "This contact is no longer due.");
        errors.AddIf(attempt.At > now, "at", "The contact time is in the future.");
        errors.AddIf(!Enum.IsDefined(attempt.Outcome), "outcome", "Choose what came of the contact.");
        errors.AddIf(!Enum.IsDefined(attempt.Channel), "channel", "Choose how you tried to make contact.");
        errors.AddIf(attempt.Outcome == ContactOutcome.Reached && string.IsNullOrWhiteSpace(attempt.HowTheyAreFeeling),
            "howTheyAreFeeling", "You reached the person: write how they said they are feeling, first.");
        errors.AddIf(attempt.Outcome == ContactOutcome.NotReached
            && Attempts.Any(a => (attempt.At - a.At).Duration() < TimeSpan.FromMinutes(RetryRules.SoonAfterMinutes))
            && string.IsNullOrWhiteSpace(attempt.WhyTriedAgainSoon),
            "whyTriedAgainSoon", $"This try is within {RetryRules.SoonAfterMinutes} minutes of the last one: say why you tried again so soon (for instance, another number), or enter when you really tried.");
        errors.AddIf((attempt.HowTheyAreFeeling?.Length ?? 0) + (attempt.WhatIsGoingOn?.Length ?? 0) + (attempt.Notes?.Length ?? 0) + (attempt.WhyTriedAgainSoon?.Length ?? 0) > 8000,
            "notes", "The note is too long (at most 8000 characters in all).");
        if (errors.Any)
        {
            return Result<ScheduledContact>.Failure(errors.List);
        }

        Attempts = [.. Attempts, string.IsNullOrWhiteSpace(attempt.WhyTriedAgainSoon) ? attempt with { WhyTriedAgainSoon = null } : attempt with { WhyTriedAgainSoon = attempt.WhyTriedAgainSoon.Trim() }];
        Version++;
        if (attempt.Outcome == ContactOutcome.NotReached)
        {
            NotReachedCount++;
            if (NotReachedCount >= rules.TriesBeforeEscalation)
            {
                // Not answering never ends aftercare: the care team is asked to find another way.
                EscalatedAt ??= now;
            }

            DueAt = rules.NextTry(Kind, Deadline, now);
            return this;
        }

        Status = ContactStatus.Done;
        Outcome = attempt.Outcome;
        CompletedAt = attempt.At;
        return this;
    }

    internal void Supersede() => Status = ContactStatus.Superseded;

    internal void Cancel() => Status = ContactStatus.Cancelled;

    /// <summary>An extra contact agreed with the person ("the next contact").</summary>
    public static ScheduledContact Extra(Guid episodeId, Guid personId, DateTimeOffset dueAt, DateTimeOffset now) =>
        new(episodeId, personId, ContactKind.Extra, dueAt, now);
}
