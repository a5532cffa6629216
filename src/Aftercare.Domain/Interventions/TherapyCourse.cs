namespace Aftercare.Domain.Interventions;

/// <summary>Psychological interventions structured for self-harm (docs/domain.md rule 9). Stored by name.</summary>
public enum TherapyType
{
    CbtInformed,
    ProblemSolving,
    Psychodynamic,
    Dbt,
    DbtA,
    MindfulnessBased,
    Counselling,
    Group,
    Family,
}

public static class TherapyTypes
{
    public static string Describe(this TherapyType type) => type switch
    {
        TherapyType.CbtInformed => "CBT-informed psychological intervention",
        TherapyType.ProblemSolving => "Problem-solving therapy",
        TherapyType.Psychodynamic => "Psychodynamic interpersonal therapy",
        TherapyType.Dbt => "Dialectical behaviour therapy (DBT)",
        TherapyType.DbtA => "DBT for adolescents (DBT-A)",
        TherapyType.MindfulnessBased => "Mindfulness-based therapy",
        TherapyType.Counselling => "Counselling",
        TherapyType.Group => "Group therapy",
        TherapyType.Family => "Family therapy",
        _ => type.ToString(),
    };
}

/// <summary>
/// The configured range of sessions: CG133 says 3 to 12; NG225 says typically 4 to 10 for adults.
/// A course outside the range needs a reason.
/// </summary>
public sealed record SessionRange(int Min, int Max, string Source)
{
    public static SessionRange Cg133 { get; } = new(3, 12, "NICE CG133");

    public static SessionRange Ng225Adults { get; } = new(4, 10, "NICE NG225");
}

public sealed record TherapyDetails(
    TherapyType Type, int? PlannedSessions, string? ReasonOutsideRange, string? Therapist, string? TherapistTraining, string? Supervision, DateOnly? StartsOn);

/// <summary>A course of psychological therapy for self-harm, with the therapist's training and supervision.</summary>
public sealed class TherapyCourse
{
    private TherapyCourse()
    {
        Therapist = "";
        TherapistTraining = "";
        Supervision = "";
        RecordedBy = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public TherapyType Type { get; private set; }

    public int PlannedSessions { get; private set; }

    public string? ReasonOutsideRange { get; private set; }

    public string Therapist { get; private set; }

    public string TherapistTraining { get; private set; }

    public string Supervision { get; private set; }

    public DateOnly StartsOn { get; private set; }

    public int SessionsAttended { get; private set; }

    public string RecordedBy { get; private set; }

    public DateTimeOffset RecordedAt { get; private set; }

    public static Result<TherapyCourse> Plan(Guid personId, TherapyDetails details, SessionRange range, int ageAtStart, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(details);
        ArgumentNullException.ThrowIfNull(range);
        var errors = new Errors();
        errors.AddIf(!Enum.IsDefined(details.Type), "type", "Choose the type of therapy.");
        if (details.PlannedSessions is not { } sessions || sessions < 1 || sessions > 100)
        {
            errors.Add("plannedSessions", "Enter the number of planned sessions (1 to 100).");
        }
        else if ((sessions < range.Min || sessions > range.Max) && string.IsNullOrWhiteSpace(details.ReasonOutsideRange))
        {
            errors.Add("reasonOutsideRange",
                $"{sessions} sessions is outside the configured range of {range.Min} to {range.Max} ({range.Source}): give the reason for this course.");
        }

        errors.AddIf(details.Type == TherapyType.DbtA && ageAtStart >= 18 && string.IsNullOrWhiteSpace(details.ReasonOutsideRange), "type",
            "DBT-A is for young people; for an adult choose DBT, or give the reason.");
        errors.AddIf(string.IsNullOrWhiteSpace(details.Therapist), "therapist", "Enter the therapist.");
        errors.AddIf(string.IsNullOrWhiteSpace(details.TherapistTraining), "therapistTraining", "Record the therapist's training in this therapy.");
        errors.AddIf(string.IsNullOrWhiteSpace(details.Supervision), "supervision", "Record who supervises the therapist, and how often.");
        errors.AddIf(details.StartsOn is null, "startsOn", "Enter when the course starts.");
        if (errors.Any)
        {
            return Result<TherapyCourse>.Failure(errors.List);
        }

        var outside = details.PlannedSessions < range.Min || details.PlannedSessions > range.Max || (details.Type == TherapyType.DbtA && ageAtStart >= 18);
        return new TherapyCourse
        {
            Id = Guid.CreateVersion7(now),
            PersonId = personId,
            Type = details.Type,
            PlannedSessions = details.PlannedSessions!.Value,
            ReasonOutsideRange = outside ? details.ReasonOutsideRange!.Trim() : null,
            Therapist = details.Therapist!.Trim(),
            TherapistTraining = details.TherapistTraining!.Trim(),
            Supervision = details.Supervision!.Trim(),
            StartsOn = details.StartsOn!.Value,
            RecordedBy = by,
            RecordedAt = now,
        };
    }

    /// <summary>A session attended on <paramref name="today"/> (the service's local date): never before the course has started.</summary>
    public Result<TherapyCourse> RecordSessionAttended(DateOnly today)
    {
        if (today < StartsOn)
        {
            return Result<TherapyCourse>.Failure(Error.Refused(
                $"This course starts on {StartsOn.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture)}. Record a session once it has happened, on or after that day."));
        }

        SessionsAttended++;
        return this;
    }
}
