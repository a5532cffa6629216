namespace Aftercare.Domain.Interventions;

public enum MedicationClass
{
    Ssri,
    Snri,
    MoodStabiliser,
    Antipsychotic,
    Other,
}

/// <summary>What the medication is for. "To reduce self-harm" exists only to be refused with the guideline's reason.</summary>
public enum Indication
{
    Depression,
    Anxiety,
    Psychosis,
    BipolarDisorder,
    Sleep,
    OtherAssociatedCondition,
    ReduceSelfHarm,
}

public static class MedicationLabels
{
    public static string Describe(this MedicationClass c) => c switch
    {
        MedicationClass.Ssri => "SSRI",
        MedicationClass.Snri => "SNRI",
        MedicationClass.MoodStabiliser => "Mood stabiliser",
        MedicationClass.Antipsychotic => "Antipsychotic",
        _ => "Other",
    };

    public static string Describe(this Indication i) => i switch
    {
        Indication.Depression => "Depression",
        Indication.Anxiety => "Anxiety",
        Indication.Psychosis => "Psychosis",
        Indication.BipolarDisorder => "Bipolar disorder",
        Indication.Sleep => "Sleep problems",
        Indication.OtherAssociatedCondition => "Another associated condition",
        Indication.ReduceSelfHarm => "To reduce self-harm",
        _ => i.ToString(),
    };
}

public sealed record MedicationDetails(MedicationClass Class, string? Name, Indication Indication, string? Condition, string? QuantitySupplied, bool ToxicityInOverdoseConsidered);

/// <summary>
/// Medication for a condition associated with self-harm (docs/domain.md rule 10). It is never the
/// intervention for self-harm itself; the toxicity in overdose and the quantity supplied are considered.
/// </summary>
public sealed class Medication
{
    /// <summary>NICE CG133 1.4.3.1 / NG225 1.13: no drug treatment as a specific intervention to reduce self-harm.</summary>
    public const string GuidelineReason =
        "NICE (CG133 1.4.3.1; NG225) says: do not offer drug treatment as a specific intervention to reduce self-harm. "
        + "Record medication for an associated condition, such as an SSRI for depression, and treat the self-harm with psychological and social support.";

    public const string ToxicityPrompt =
        "Consider the toxicity of this medicine in overdose, and supply limited quantities; record the quantity supplied and confirm you have considered it.";

    private Medication()
    {
        Name = "";
        QuantitySupplied = "";
        RecordedBy = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public MedicationClass Class { get; private set; }

    public string Name { get; private set; }

    public Indication Indication { get; private set; }

    public string? Condition { get; private set; }

    public string QuantitySupplied { get; private set; }

    public bool ToxicityInOverdoseConsidered { get; private set; }

    public string RecordedBy { get; private set; }

    public DateTimeOffset RecordedAt { get; private set; }

    public static Result<Medication> Record(Guid personId, MedicationDetails details, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(details);
        var condition = details.Condition?.Trim();
        if (details.Indication == Indication.ReduceSelfHarm || MentionsReducingSelfHarm(condition))
        {
            return Result<Medication>.Failure(Error.Refused(GuidelineReason, "indication"));
        }

        var errors = new Errors();
        errors.AddIf(!Enum.IsDefined(details.Class), "class", "Choose the class of medicine.");
        errors.AddIf(!Enum.IsDefined(details.Indication), "indication", "Choose what the medicine is for.");
        errors.AddIf(string.IsNullOrWhiteSpace(details.Name), "name", "Enter the medicine's name.");
        errors.AddIf(details.Indication == Indication.OtherAssociatedCondition && string.IsNullOrWhiteSpace(condition), "condition", "Name the associated condition.");
        errors.AddIf(string.IsNullOrWhiteSpace(details.QuantitySupplied) || !details.ToxicityInOverdoseConsidered, "toxicity", ToxicityPrompt);
        if (errors.Any)
        {
            return Result<Medication>.Failure(errors.List);
        }

        return new Medication
        {
            Id = Guid.CreateVersion7(now),
            PersonId = personId,
            Class = details.Class,
            Name = details.Name!.Trim(),
            Indication = details.Indication,
            Condition = string.IsNullOrWhiteSpace(condition) ? null : condition,
            QuantitySupplied = details.QuantitySupplied!.Trim(),
            ToxicityInOverdoseConsidered = true,
            RecordedBy = by,
            RecordedAt = now,
        };
    }

    private static bool MentionsReducingSelfHarm(string? text) =>
        text is not null && text.Replace("-", " ", StringComparison.Ordinal).Contains("self harm", StringComparison.OrdinalIgnoreCase);
}
