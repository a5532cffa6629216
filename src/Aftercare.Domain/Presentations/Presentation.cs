namespace Aftercare.Domain.Presentations;

public enum YesNoUnknown
{
    Unknown = 0,
    Yes = 1,
    No = 2,
}

/// <summary>Where the person went after the emergency department.</summary>
public enum Disposition
{
    Discharged = 0,
    Admitted = 1,
    LeftBeforeAssessment = 2,
}

public static class PresentationLabels
{
    public static string Describe(this Disposition disposition) => disposition switch
    {
        Disposition.Discharged => "Discharged",
        Disposition.Admitted => "Admitted",
        Disposition.LeftBeforeAssessment => "Left before a psychosocial assessment",
        _ => disposition.ToString(),
    };

    public static string Describe(this YesNoUnknown value) => value switch
    {
        YesNoUnknown.Yes => "Yes",
        YesNoUnknown.No => "No",
        _ => "Not known",
    };
}

/// <summary>What a clinician enters about one presentation.</summary>
public sealed record PresentationDetails(
    DateTimeOffset? ArrivedAt,
    Guid? SiteId,
    IReadOnlyList<SelfHarmMethod> Methods,
    YesNoUnknown AlcoholInvolved,
    YesNoUnknown MedicalTreatmentNeeded,
    string? MedicalTreatmentNotes,
    Disposition Disposition,
    DateTimeOffset? PsychosocialAssessmentAt,
    IReadOnlyList<string>? Icd10Codes = null);

/// <summary>
/// How the self-harm was recorded: the method groups, and the ICD-10 codes exactly as an emergency
/// department sent them (none when the groups were chosen on the page). Stored as one column.
/// </summary>
public sealed record SelfHarmCoding(IReadOnlyList<SelfHarmMethod> Methods, IReadOnlyList<string> Icd10Codes)
{
    public static readonly SelfHarmCoding None = new([], []);
}

/// <summary>An identifier another system gave a record it sent (FHIR Identifier: system and value).</summary>
public sealed record SentIdentifier(string System, string Value)
{
    public override string ToString() => $"{System}|{Value}";
}

/// <summary>
/// One episode of self-harm reaching a service (FHIR Encounter with a Condition coded X60–X84).
/// Nothing here scores or rates the person (docs/domain.md rule 1).
/// </summary>
public sealed class Presentation
{
    private Presentation()
    {
        RecordedBy = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public DateTimeOffset ArrivedAt { get; private set; }

    public Guid SiteId { get; private set; }

    public SelfHarmCoding Coding { get; private set; } = SelfHarmCoding.None;

    /// <summary>The method groups, for the pages and the measures.</summary>
    public IReadOnlyList<SelfHarmMethod> Methods => Coding.Methods;

    /// <summary>The ICD-10 codes as sent (e.g. <c>X78.0</c>), each within one of <see cref="Methods"/>; empty when chosen on the page.</summary>
    public IReadOnlyList<string> Icd10Codes => Coding.Icd10Codes;

    public YesNoUnknown AlcoholInvolved { get; private set; }

    public YesNoUnknown MedicalTreatmentNeeded { get; private set; }

    public string? MedicalTreatmentNotes { get; private set; }

    public Disposition Disposition { get; private set; }

    /// <summary>When the psychosocial assessment happened, so time to assessment can be measured (QS34).</summary>
    public DateTimeOffset? PsychosocialAssessmentAt { get; private set; }

    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>The user id of who recorded it.</summary>
    public string RecordedBy { get; private set; }

    /// <summary>
    /// The identifier the sending system (an emergency department) gave this encounter, as a FHIR
    /// system and value; null when it was recorded here. Unique where present, so a resend finds it.
    /// </summary>
    public string? EncounterIdentifierSystem { get; private set; }

    /// <inheritdoc cref="EncounterIdentifierSystem"/>
    public string? EncounterIdentifierValue { get; private set; }

    /// <summary>The identifier the sending system gave the self-harm Condition, if it sent one.</summary>
    public string? ConditionIdentifierSystem { get; private set; }

    /// <inheritdoc cref="ConditionIdentifierSystem"/>
    public string? ConditionIdentifierValue { get; private set; }

    /// <summary>
    /// When the presentation was withdrawn as entered in error (sent for the wrong person, or never
    /// happened). Never deleted: it leaves the measures and the timeline but stays in the record and the audit.
    /// </summary>
    public DateTimeOffset? EnteredInErrorAt { get; private set; }

    /// <summary>The user or client id that withdrew it.</summary>
    public string? EnteredInErrorBy { get; private set; }

    /// <summary>Why it was withdrawn, in the words of who withdrew it (encrypted at rest).</summary>
    public string? EnteredInErrorReason { get; private set; }

    public TimeSpan? TimeToAssessment => PsychosocialAssessmentAt - ArrivedAt;

    /// <summary>Withdrawn as entered in error: kept and shown, marked, but no longer counted anywhere.</summary>
    public bool IsEnteredInError => EnteredInErrorAt is not null;

    public const int MaxIdentifierSystem = 200;
    public const int MaxIdentifierValue = 100;
    public const int MaxEnteredInErrorReason = 1000;

    /// <summary>
    /// Keeps the identifiers the sending system gave its Encounter and Condition (FHIR
    /// <c>system|value</c>), so that a resend, a conditional create or a search by identifier finds
    /// this presentation. Each is both parts or neither; the system is an absolute URI (FHIR's rule).
    /// </summary>
    public Result<Presentation> IdentifyAsSent(SentIdentifier? encounter, SentIdentifier? condition)
    {
        var errors = new Errors();
        Check(encounter, "Encounter.identifier", errors);
        Check(condition, "Condition.identifier", errors);
        if (errors.Any)
        {
            return Result<Presentation>.Failure(errors.List);
        }

        EncounterIdentifierSystem = encounter?.System.Trim();
        EncounterIdentifierValue = encounter?.Value.Trim();
        ConditionIdentifierSystem = condition?.System.Trim();
        ConditionIdentifierValue = condition?.Value.Trim();
        return this;
    }

    private static void Check(SentIdentifier? identifier, string field, Errors errors)
    {
        if (identifier is null)
        {
            return;
        }

        errors.AddIf(string.IsNullOrWhiteSpace(identifier.System) || !Uri.IsWellFormedUriString(identifier.System.Trim(), UriKind.Absolute),
            field, "An identifier needs a system (an absolute URI, e.g. https://ed.example.org/encounter) as well as a value.");
        errors.AddIf(string.IsNullOrWhiteSpace(identifier.Value), field, "An identifier needs a value as well as a system.");
        errors.AddIf(identifier.System?.Trim().Length > MaxIdentifierSystem, field, $"An identifier's system can be at most {MaxIdentifierSystem} characters.");
        errors.AddIf(identifier.Value?.Trim().Length > MaxIdentifierValue, field, $"An identifier's value can be at most {MaxIdentifierValue} characters.");
    }

    /// <summary>
    /// Withdraws a presentation sent or recorded by mistake (the wrong person, or it never happened):
    /// never deleted, it stays on the record, marked, with who withdrew it, when and why, and leaves
    /// the measures, the evaluation and the repeat counts. The reason is required; it is withdrawn once.
    /// </summary>
    public Result<Presentation> WithdrawAsEnteredInError(string by, string? reason, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        if (IsEnteredInError)
        {
            return Result<Presentation>.Failure(Error.Refused($"This presentation was withdrawn as entered in error on {EnteredInErrorAt:d MMMM yyyy}; it cannot be withdrawn again.", "status"));
        }

        var words = reason?.Trim() ?? "";
        if (words.Length == 0)
        {
            return Result<Presentation>.Failure("reason", "Say why this presentation was entered in error (for example, recorded for the wrong person).");
        }

        if (words.Length > MaxEnteredInErrorReason)
        {
            return Result<Presentation>.Failure("reason", $"The reason can be at most {MaxEnteredInErrorReason} characters.");
        }

        EnteredInErrorAt = now;
        EnteredInErrorBy = by;
        EnteredInErrorReason = words;
        return this;
    }

    /// <summary>A completed psychosocial assessment records when it happened, for the QS34 measures.</summary>
    public void RecordPsychosocialAssessment(DateTimeOffset at) => PsychosocialAssessmentAt = at.ToUniversalTime();

    public static Result<Presentation> Register(
        Guid personId,
        DateOnly personDateOfBirth,
        PresentationDetails details,
        IReadOnlyCollection<Guid> knownSites,
        string recordedBy,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(details);
        ArgumentNullException.ThrowIfNull(knownSites);
        var errors = new Errors();
        if (details.ArrivedAt is not { } arrived)
        {
            errors.Add("arrivedAt", "Enter the date and time the person arrived.");
        }
        else if (arrived > now)
        {
            errors.Add("arrivedAt", "The arrival time is in the future. Enter when the person arrived.");
        }
        else if (DateOnly.FromDateTime(arrived.UtcDateTime) < personDateOfBirth)
        {
            errors.Add("arrivedAt", "The arrival time is before the person's date of birth.");
        }

        if (details.SiteId is not { } site || !knownSites.Contains(site))
        {
            errors.Add("siteId", "Choose the site the person arrived at.");
        }

        var codes = (details.Icd10Codes ?? []).Select(c => c.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        errors.AddIf(codes.Any(c => !SelfHarmCodes.IsSelfHarm(c)), "methods", "One of the ICD-10 codes is not an intentional self-harm code (X60–X84, with or without the fourth character).");
        errors.AddIf(codes.Count > SelfHarmCodes.MaxPerPresentation, "methods", $"Give at most {SelfHarmCodes.MaxPerPresentation} ICD-10 codes.");
        var methods = (details.Methods ?? []).Concat(codes.Select(SelfHarmCodes.Group).OfType<SelfHarmMethod>()).Distinct().ToList();
        errors.AddIf(methods.Count == 0, "methods", "Choose at least one method; choose \"Means not known\" if it is not known.");
        errors.AddIf(methods.Any(m => !Enum.IsDefined(m)), "methods", "One of the methods is not one of the listed groups.");
        errors.AddIf(!Enum.IsDefined(details.AlcoholInvolved), "alcoholInvolved", "Choose yes, no or not known for alcohol.");
        errors.AddIf(!Enum.IsDefined(details.MedicalTreatmentNeeded), "medicalTreatmentNeeded", "Choose yes, no or not known for medical treatment.");
        errors.AddIf(!Enum.IsDefined(details.Disposition), "disposition", "Choose where the person went next.");
        var notes = string.IsNullOrWhiteSpace(details.MedicalTreatmentNotes) ? null : details.MedicalTreatmentNotes.Trim();
        errors.AddIf(notes is { Length: > 2000 }, "medicalTreatmentNotes", "Medical treatment notes can be at most 2000 characters.");

        if (details.PsychosocialAssessmentAt is { } assessed)
        {
            errors.AddIf(assessed > now, "psychosocialAssessmentAt", "The assessment time is in the future. Leave it empty until the assessment has happened.");
            errors.AddIf(details.ArrivedAt is { } a && assessed < a, "psychosocialAssessmentAt", "The assessment time is before the arrival time.");
            errors.AddIf(details.Disposition == Disposition.LeftBeforeAssessment, "psychosocialAssessmentAt",
                "The person is recorded as leaving before assessment, yet an assessment time is given. Correct one of them.");
        }

        if (errors.Any)
        {
            return Result<Presentation>.Failure(errors.List);
        }

        return new Presentation
        {
            Id = Guid.CreateVersion7(now),
            PersonId = personId,
            ArrivedAt = details.ArrivedAt!.Value.ToUniversalTime(),
            SiteId = details.SiteId!.Value,
            Coding = new SelfHarmCoding(methods, codes),
            AlcoholInvolved = details.AlcoholInvolved,
            MedicalTreatmentNeeded = details.MedicalTreatmentNeeded,
            MedicalTreatmentNotes = notes,
            Disposition = details.Disposition,
            PsychosocialAssessmentAt = details.PsychosocialAssessmentAt?.ToUniversalTime(),
            RecordedAt = now,
            RecordedBy = recordedBy,
        };
    }
}
