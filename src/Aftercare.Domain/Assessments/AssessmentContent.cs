using Aftercare.Domain.Presentations;

namespace Aftercare.Domain.Assessments;

/// <summary>A risk agreed with the person, in words; the risk-management plan answers each one.</summary>
public sealed record AgreedRisk(Guid Id, string Description);

/// <summary>
/// docs/domain.md rule 8: the person was told the limits of confidentiality, and chose whom to involve
/// and whether the plan may be shared with their GP.
/// </summary>
public sealed record ConfidentialityAndConsent(
    DateTimeOffset? LimitsExplainedAt,
    string? LimitsExplainedBy,
    YesNoUnknown InvolveFamilyOrCarers,
    string? WhomToInvolve,
    YesNoUnknown ShareWithGp)
{
    public static ConfidentialityAndConsent NotYetAsked { get; } = new(null, null, YesNoUnknown.Unknown, null, YesNoUnknown.Unknown);
}

/// <summary>Everything written in an assessment. Each revision keeps a whole copy.</summary>
public sealed record AssessmentContent(
    DateTimeOffset? AssessedAt,
    IReadOnlyDictionary<AssessmentSection, string> Sections,
    YesNoUnknown HasDependentChildren,
    IReadOnlyList<AgreedRisk> AgreedRisks,
    ConfidentialityAndConsent Consent)
{
    public const int MaxSectionLength = 10_000;
    public const int MaxRisks = 20;

    public static AssessmentContent Empty { get; } = new(null, new Dictionary<AssessmentSection, string>(), YesNoUnknown.Unknown, [], ConfidentialityAndConsent.NotYetAsked);

    public string Text(AssessmentSection section) => Sections.TryGetValue(section, out var text) ? text : "";

    /// <summary>Problems that stop any save (too long, malformed).</summary>
    public IReadOnlyList<Error> CheckForSaving(DateTimeOffset now)
    {
        var errors = new Errors();
        foreach (var (section, text) in Sections)
        {
            errors.AddIf(!Enum.IsDefined(section), "sections", "An unknown section was sent.");
            errors.AddIf(text.Length > MaxSectionLength, section.ToString(), $"{section.Info().Title}: at most {MaxSectionLength} characters.");
        }

        errors.AddIf(AgreedRisks.Count > MaxRisks, "agreedRisks", $"At most {MaxRisks} agreed risks; combine related ones.");
        errors.AddIf(AgreedRisks.Any(r => r.Description.Length > 500), "agreedRisks", "Each agreed risk can be at most 500 characters.");
        errors.AddIf(AgreedRisks.GroupBy(r => r.Id).Any(g => g.Count() > 1), "agreedRisks", "Each agreed risk must be listed once.");
        errors.AddIf(AssessedAt > now, "assessedAt", "The assessment time is in the future.");
        errors.AddIf(Consent.LimitsExplainedAt > now, "limitsExplainedAt", "The time confidentiality was explained is in the future.");
        errors.AddIf((Consent.WhomToInvolve?.Length ?? 0) > 1000, "whomToInvolve", "At most 1000 characters.");
        return errors.List;
    }

    /// <summary>
    /// Problems that stop completion (docs/domain.md rule 4): every needs and risks section, the person's
    /// account, formulation and outcome are written; confidentiality was explained; choices recorded.
    /// </summary>
    public IReadOnlyList<Error> CheckForCompletion(DateTimeOffset now, DateTimeOffset arrivedAt)
    {
        var errors = new Errors();
        foreach (var info in AssessmentSections.All)
        {
            errors.AddIf(string.IsNullOrWhiteSpace(Text(info.Section)), info.Section.ToString(),
                $"{info.Title}: write something before completing, even if it is \"nothing of note\" in the person's words.");
        }

        errors.AddIf(AssessedAt is null, "assessedAt", "Enter when the assessment took place.");
        errors.AddIf(AssessedAt < arrivedAt, "assessedAt", "The assessment time is before the person arrived.");
        errors.AddIf(HasDependentChildren == YesNoUnknown.Unknown, "hasDependentChildren", "Record whether the person has dependent children.");
        errors.AddIf(Consent.LimitsExplainedAt is null || string.IsNullOrWhiteSpace(Consent.LimitsExplainedBy), "limitsExplainedAt",
            "Record when, and by whom, the limits of confidentiality were explained.");
        errors.AddIf(Consent.InvolveFamilyOrCarers == YesNoUnknown.Unknown, "involveFamilyOrCarers", "Record whether the person wants family, carers or others involved.");
        errors.AddIf(Consent.InvolveFamilyOrCarers == YesNoUnknown.Yes && string.IsNullOrWhiteSpace(Consent.WhomToInvolve), "whomToInvolve",
            "The person wants someone involved: record whom.");
        errors.AddIf(Consent.ShareWithGp == YesNoUnknown.Unknown, "shareWithGp", "Record whether the plan may be shared with the GP.");
        return [.. CheckForSaving(now), .. errors.List];
    }
}
