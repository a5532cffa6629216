namespace Aftercare.Domain.Referrals;

/// <summary>
/// Where a warm handoff stands. A referral is not done when it is sent: only when the person has
/// attended, or declined, or could not be reached (docs/domain.md rule 11). Stored by name.
/// </summary>
public enum ReferralStatus
{
    Sent,
    Accepted,
    AppointmentBooked,
    Attended,
    Declined,
    NotReached,
}

/// <summary>What the person would prefer (docs/domain.md rule 13).</summary>
public enum ServicePreference
{
    NoPreference,
    Clinical,
    NonClinical,
}

public sealed record ReferralStep(DateTimeOffset At, ReferralStatus From, ReferralStatus To, string By, string? Note);

/// <summary>How long each step of a handoff may take before it is escalated.</summary>
public sealed record HandoffDeadlines(int AcceptWithinDays, int BookWithinDays, int AttendGraceDays)
{
    public static HandoffDeadlines Default { get; } = new(5, 14, 1);
}

public static class ReferralLabels
{
    public static string Describe(this ReferralStatus status) => status switch
    {
        ReferralStatus.Sent => "Sent, waiting for the service to accept",
        ReferralStatus.Accepted => "Accepted, waiting for a first appointment",
        ReferralStatus.AppointmentBooked => "First appointment booked",
        ReferralStatus.Attended => "Attended: handoff complete",
        ReferralStatus.Declined => "Declined",
        ReferralStatus.NotReached => "The person could not be reached",
        _ => status.ToString(),
    };

    public static string Describe(this ServicePreference preference) => preference switch
    {
        ServicePreference.Clinical => "Prefers a clinical service",
        ServicePreference.NonClinical => "Prefers a non-clinical service (voluntary sector, peer support)",
        _ => "No preference",
    };
}

/// <summary>A warm handoff to another service, tracked until it happens (FHIR ServiceRequest + Task).</summary>
public sealed class Referral
{
    private Referral()
    {
        Reason = "";
        SentBy = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public Guid ServiceId { get; private set; }

    public string Reason { get; private set; }

    public ServicePreference Preference { get; private set; }

    public DateTimeOffset SentAt { get; private set; }

    public string SentBy { get; private set; }

    public ReferralStatus Status { get; private set; }

    /// <summary>When the current step should have moved on; past it, the handoff is escalated.</summary>
    public DateTimeOffset? DueBy { get; private set; }

    public DateTimeOffset? AppointmentAt { get; private set; }

    public DateTimeOffset? LoopClosedAt { get; private set; }

    /// <summary>Each move of the handoff, in order; appended only by <see cref="MoveTo"/> (stored encrypted as JSON).</summary>
    public IReadOnlyList<ReferralStep> Steps { get; private set; } = [];

    public int Version { get; private set; }

    public bool IsClosed => Status is ReferralStatus.Attended or ReferralStatus.Declined or ReferralStatus.NotReached;

    /// <summary>Unconfirmed past its due date: shown on the worklist until someone follows it up.</summary>
    public bool IsEscalated(DateTimeOffset now) => !IsClosed && DueBy < now;

    public static Result<Referral> Send(Guid personId, ListedService? service, string? reason, ServicePreference preference, HandoffDeadlines deadlines, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deadlines);
        var errors = new Errors();
        errors.AddIf(service is null, "serviceId", "Choose a service from the directory; a referral goes only to a service listed there.");
        errors.AddIf(string.IsNullOrWhiteSpace(reason), "reason", "Say why you are referring, as you would to the service.");
        errors.AddIf(reason is { Length: > 2000 }, "reason", "The reason can be at most 2000 characters.");
        errors.AddIf(!Enum.IsDefined(preference), "preference", "Choose the person's preference.");
        if (errors.Any)
        {
            return Result<Referral>.Failure(errors.List);
        }

        return new Referral
        {
            Id = Guid.CreateVersion7(now),
            PersonId = personId,
            ServiceId = service!.Id,
            Reason = reason!.Trim(),
            Preference = preference,
            SentAt = now,
            SentBy = by,
            Status = ReferralStatus.Sent,
            DueBy = now.AddDays(deadlines.AcceptWithinDays),
        };
    }

    /// <summary>The steps a referral can take from where it is.</summary>
    public IReadOnlyList<ReferralStatus> NextSteps => Status switch
    {
        ReferralStatus.Sent => [ReferralStatus.Accepted, ReferralStatus.Declined],
        ReferralStatus.Accepted => [ReferralStatus.AppointmentBooked, ReferralStatus.Declined, ReferralStatus.NotReached],
        ReferralStatus.AppointmentBooked => [ReferralStatus.Attended, ReferralStatus.AppointmentBooked, ReferralStatus.Declined, ReferralStatus.NotReached],
        _ => [],
    };

    public Result<Referral> MoveTo(ReferralStatus to, DateTimeOffset? appointmentAt, string? note, HandoffDeadlines deadlines, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deadlines);
        if (!NextSteps.Contains(to))
        {
            return Result<Referral>.Failure(Error.Refused(IsClosed
                ? "This handoff is closed."
                : $"From \"{Status.Describe()}\" the next step is one of: {string.Join("; ", NextSteps.Select(s => s.Describe()))}.", "status"));
        }

        if (to == ReferralStatus.AppointmentBooked && appointmentAt is null)
        {
            return Result<Referral>.Failure("appointmentAt", "Enter the date and time of the first appointment.");
        }

        if (to == ReferralStatus.Attended && AppointmentAt > now)
        {
            return Result<Referral>.Failure(Error.Refused("The appointment has not happened yet.", "status"));
        }

        Steps = [.. Steps, new ReferralStep(now, Status, to, by, string.IsNullOrWhiteSpace(note) ? null : note.Trim())];
        Status = to;
        Version++;
        switch (to)
        {
            case ReferralStatus.Accepted:
                DueBy = now.AddDays(deadlines.BookWithinDays);
                break;
            case ReferralStatus.AppointmentBooked:
                AppointmentAt = appointmentAt!.Value.ToUniversalTime();
                DueBy = AppointmentAt.Value.AddDays(deadlines.AttendGraceDays);
                break;
            default:
                DueBy = null;
                LoopClosedAt = now;
                break;
        }

        return this;
    }
}
