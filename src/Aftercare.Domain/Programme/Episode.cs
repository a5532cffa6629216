namespace Aftercare.Domain.Programme;

/// <summary>Why an aftercare episode closed. Never "did not answer" (docs/domain.md rule 11).</summary>
public enum EpisodeCloseReason
{
    ScheduleCompleted,
    PersonDeclined,
    MovedAway,
    Transferred,
    Died,
}

public enum EpisodeStatus
{
    Active,
    Closed,
}

public enum ContactKind
{
    FirstContact,
    FollowUp,
    Extra,
}

public enum ContactStatus
{
    Due,
    Done,

    /// <summary>Replaced by a new schedule when the person came back for help.</summary>
    Superseded,

    /// <summary>The episode closed before it was due.</summary>
    Cancelled,
}

public enum ContactOutcome
{
    Reached,
    NotReached,
    Declined,
}

public static class AftercareLabels
{
    public static string Describe(this EpisodeCloseReason reason) => reason switch
    {
        EpisodeCloseReason.ScheduleCompleted => "Schedule completed",
        EpisodeCloseReason.PersonDeclined => "The person declined further aftercare",
        EpisodeCloseReason.MovedAway => "Moved away",
        EpisodeCloseReason.Transferred => "Transferred to another service",
        EpisodeCloseReason.Died => "Died",
        _ => reason.ToString(),
    };

    public static string Describe(this ContactOutcome outcome) => outcome switch
    {
        ContactOutcome.Reached => "Reached",
        ContactOutcome.NotReached => "Not reached",
        ContactOutcome.Declined => "Declined the contact",
        _ => outcome.ToString(),
    };

    public static string Describe(this ContactKind kind) => kind switch
    {
        ContactKind.FirstContact => "First contact",
        ContactKind.FollowUp => "Follow-up contact",
        _ => "Extra contact",
    };
}

/// <summary>
/// An enrolment on an aftercare pathway after a presentation (FHIR EpisodeOfCare). It starts with
/// a first contact due within the pathway's hours of discharge and a schedule for at least three
/// months; it closes only with a reason, never by itself.
/// </summary>
public sealed class Episode
{
    private Episode()
    {
        PathwayId = "";
        PathwayName = "";
        PathwayVersion = "";
        EnrolledBy = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public Guid PresentationId { get; private set; }

    public string PathwayId { get; private set; }

    public string PathwayName { get; private set; }

    /// <summary>The version of the pathway file the schedule came from.</summary>
    public string PathwayVersion { get; private set; }

    /// <summary>When the clinician chose another pathway than the suggested one, why.</summary>
    public string? OtherPathwayReason { get; private set; }

    public DateTimeOffset DischargedAt { get; private set; }

    public DateTimeOffset FirstContactDueBy { get; private set; }

    public DateTimeOffset EnrolledAt { get; private set; }

    public string EnrolledBy { get; private set; }

    public EpisodeStatus Status { get; private set; }

    /// <summary>How many times the person came back for help during the episode and the schedule restarted.</summary>
    public int ReEngagements { get; private set; }

    public DateTimeOffset? LastReEngagedAt { get; private set; }

    public DateTimeOffset? ClosedAt { get; private set; }

    public EpisodeCloseReason? CloseReason { get; private set; }

    public string? CloseNote { get; private set; }

    private readonly List<ScheduledContact> _contacts = [];

    /// <summary>The episode's scheduled contacts, added only by enrolment and restart (EF fills the field).</summary>
    public IReadOnlyList<ScheduledContact> Contacts => _contacts.AsReadOnly();

    /// <summary>
    /// Enrols the person on a pathway from discharge. A pathway other than the suggested one needs a reason.
    /// </summary>
    public static Result<Episode> Enrol(
        Guid personId, Guid presentationId, DateTimeOffset arrivedAt, DateTimeOffset? dischargedAt, Pathway pathway, string pathwayVersion,
        Pathway? suggested, string? reason, Func<DateTimeOffset, int, DateTimeOffset> dayAfter, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pathway);
        ArgumentNullException.ThrowIfNull(dayAfter);
        var errors = Check(arrivedAt, dischargedAt, pathway, suggested, reason, now);
        if (errors.Any)
        {
            return Result<Episode>.Failure(errors.List);
        }

        var episode = new Episode
        {
            Id = Guid.CreateVersion7(now),
            PersonId = personId,
            PresentationId = presentationId,
            EnrolledAt = now,
            EnrolledBy = by,
            Status = EpisodeStatus.Active,
        };
        episode.TakePathway(pathway, pathwayVersion, suggested, reason);
        episode.Schedule(pathway, dischargedAt!.Value.ToUniversalTime(), dayAfter, now);
        return episode;
    }

    /// <summary>
    /// Whether a presentation that began at <paramref name="arrivedAt"/> can restart this episode's
    /// schedule: only a presentation after the discharge the current schedule runs from is a new
    /// one (issue 11: a restart was offered, and accepted, from an older presentation).
    /// </summary>
    public bool CanRestartFrom(DateTimeOffset arrivedAt) => Status == EpisodeStatus.Active && arrivedAt > DischargedAt;

    /// <summary>
    /// docs/domain.md rule 2: the person came back for help during the episode. The schedule restarts
    /// from the new discharge by the same rules as an enrolment (rule 12: the pathway suggested
    /// for their age and history, a reason to choose another); the episode takes the chosen
    /// pathway, and what was still due is superseded, nothing is lost.
    /// </summary>
    public Result<Episode> ReEngage(
        DateTimeOffset arrivedAt, DateTimeOffset? dischargedAt, Pathway pathway, string pathwayVersion, Pathway? suggested, string? reason,
        Func<DateTimeOffset, int, DateTimeOffset> dayAfter, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pathway);
        ArgumentNullException.ThrowIfNull(dayAfter);
        if (Status != EpisodeStatus.Active)
        {
            return Result<Episode>.Failure(Error.Refused("This episode is closed; enrol the person again.", "episode"));
        }

        if (!CanRestartFrom(arrivedAt))
        {
            return Result<Episode>.Failure(Error.Refused(
                "This presentation is not newer than the discharge the aftercare schedule runs from, so it cannot restart it. Restart from the person's latest presentation.", "presentationId"));
        }

        var errors = Check(arrivedAt, dischargedAt, pathway, suggested, reason, now);
        if (errors.Any)
        {
            return Result<Episode>.Failure(errors.List);
        }

        foreach (var contact in Contacts.Where(c => c.Status == ContactStatus.Due))
        {
            contact.Supersede();
        }

        ReEngagements++;
        LastReEngagedAt = now;
        TakePathway(pathway, pathwayVersion, suggested, reason);
        Schedule(pathway, dischargedAt!.Value.ToUniversalTime(), dayAfter, now);
        return this;
    }

    /// <summary>Closes the episode for one of the reasons allowed; it never closes by itself.</summary>
    public Result<Episode> Close(EpisodeCloseReason? reason, string? note, DateTimeOffset now)
    {
        if (Status == EpisodeStatus.Closed)
        {
            return Result<Episode>.Failure(Error.Refused("This episode is already closed.", "reason"));
        }

        if (reason is not { } why || !Enum.IsDefined(why))
        {
            return Result<Episode>.Failure("reason", "Choose why the episode is closing.");
        }

        Status = EpisodeStatus.Closed;
        ClosedAt = now;
        CloseReason = why;
        CloseNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        foreach (var contact in Contacts.Where(c => c.Status == ContactStatus.Due))
        {
            contact.Cancel();
        }

        return this;
    }

    /// <summary>The rules an enrolment and a restart share: a discharge after arrival, not far ahead, and a reason for another pathway.</summary>
    private static Errors Check(DateTimeOffset arrivedAt, DateTimeOffset? dischargedAt, Pathway pathway, Pathway? suggested, string? reason, DateTimeOffset now)
    {
        var errors = new Errors();
        if (dischargedAt is not { } discharged)
        {
            errors.Add("dischargedAt", "Enter when the person was discharged.");
        }
        else
        {
            errors.AddIf(discharged < arrivedAt, "dischargedAt", "Discharge is before the person arrived.");
            errors.AddIf(discharged > now.AddDays(14), "dischargedAt", "Discharge is more than 14 days ahead; enrol nearer the time.");
        }

        // docs/domain.md rule 12: the pathway follows age and history; choosing another is a decision to explain.
        errors.AddIf(IsOtherThanSuggested(pathway, suggested) && string.IsNullOrWhiteSpace(reason), "reason",
            $"You chose another pathway than the one suggested ({suggested?.Name}): say why.");
        return errors;
    }

    private static bool IsOtherThanSuggested(Pathway pathway, Pathway? suggested) => suggested is not null && suggested.Id != pathway.Id;

    private void TakePathway(Pathway pathway, string pathwayVersion, Pathway? suggested, string? reason)
    {
        PathwayId = pathway.Id;
        PathwayName = pathway.Name;
        PathwayVersion = pathwayVersion;
        OtherPathwayReason = IsOtherThanSuggested(pathway, suggested) ? reason!.Trim() : null;
    }

    private void Schedule(Pathway pathway, DateTimeOffset discharged, Func<DateTimeOffset, int, DateTimeOffset> dayAfter, DateTimeOffset now)
    {
        DischargedAt = discharged;
        FirstContactDueBy = discharged.AddHours(pathway.FirstContactWithinHours);
        _contacts.Add(new ScheduledContact(Id, PersonId, ContactKind.FirstContact, FirstContactDueBy, now));
        foreach (var day in pathway.ContactDays.Where(d => discharged.AddDays(d) > FirstContactDueBy).Order())
        {
            _contacts.Add(new ScheduledContact(Id, PersonId, ContactKind.FollowUp, dayAfter(discharged, day), now));
        }
    }
}
