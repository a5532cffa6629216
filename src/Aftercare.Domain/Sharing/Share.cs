using Aftercare.Domain.Assessments;
using Aftercare.Domain.Presentations;

namespace Aftercare.Domain.Sharing;

/// <summary>
/// A record that something from the person's record was shared: what, with whom, why, on what
/// basis, when and by whom (docs/domain.md rule 8; FHIR DocumentReference).
/// </summary>
public sealed class Share
{
    private Share()
    {
        What = "";
        Recipient = "";
        Purpose = "";
        ConsentBasis = "";
        SharedBy = "";
    }

    public Guid Id { get; private set; }

    public Guid PersonId { get; private set; }

    public string What { get; private set; }

    public string Recipient { get; private set; }

    public string Purpose { get; private set; }

    public string ConsentBasis { get; private set; }

    public DateTimeOffset SharedAt { get; private set; }

    public string SharedBy { get; private set; }

    /// <summary>The versions of the plans that were sent, so the letter can be shown again exactly as sent.</summary>
    public Guid? CarePlanId { get; private set; }

    public int? CarePlanVersion { get; private set; }

    public Guid? SafetyPlanId { get; private set; }

    public int? SafetyPlanVersion { get; private set; }

    /// <summary>
    /// A letter to the GP needs the person's consent to share with the GP, recorded in a completed
    /// assessment, and a GP practice to send it to. Otherwise it is refused with the reason.
    /// </summary>
    public static Result<Share> WithGp(
        Guid personId, string? gpPractice, ConfidentialityAndConsent? consent, DateTimeOffset? consentRecordedAt,
        (Guid Id, int Version)? carePlan, (Guid Id, int Version)? safetyPlan, string by, DateTimeOffset now, string? consentSource = null)
    {
        if (consent is null || consentRecordedAt is null)
        {
            return Result<Share>.Failure(Error.Refused("There is no completed assessment recording whether the person agrees to share their plan with their GP. Ask them, and record it in the assessment, first.", "consent"));
        }

        if (consent.ShareWithGp != YesNoUnknown.Yes)
        {
            return Result<Share>.Failure(Error.Refused("The person has not agreed, or has withdrawn their agreement, to their plan being shared with their GP, so it is not sent. If they change their mind, record it on the consent page.", "consent"));
        }

        if (string.IsNullOrWhiteSpace(gpPractice))
        {
            return Result<Share>.Failure(Error.Refused("No GP practice is recorded for this person.", "gpPractice"));
        }

        if (carePlan is null && safetyPlan is null)
        {
            return Result<Share>.Failure(Error.Refused("There is no agreed care plan or completed safety plan to share yet.", "carePlan"));
        }

        return new Share
        {
            Id = Guid.CreateVersion7(now),
            PersonId = personId,
            What = string.Join(" and ", new[] { carePlan is { } c ? $"care plan (version {c.Version})" : null, safetyPlan is { } s ? $"safety plan (version {s.Version})" : null }.OfType<string>())
                + ", in a letter to the GP",
            CarePlanId = carePlan?.Id,
            CarePlanVersion = carePlan?.Version,
            SafetyPlanId = safetyPlan?.Id,
            SafetyPlanVersion = safetyPlan?.Version,
            Recipient = gpPractice.Trim(),
            Purpose = "Continuity of care: the GP holds the person's care plan and safety plan.",
            ConsentBasis = consentSource is null
                ? $"The person agreed to share with their GP, recorded in the assessment of {consentRecordedAt.Value.UtcDateTime:d MMMM yyyy}."
                : $"The person agreed to share with their GP, recorded {consentSource} on {consentRecordedAt.Value.UtcDateTime:d MMMM yyyy}.",
            SharedAt = now,
            SharedBy = by,
        };
    }

    /// <summary>True for a share made under a safeguarding duty rather than with consent.</summary>
    public bool IsSafeguarding => CarePlanId is null && SafetyPlanId is null && ConsentBasis.StartsWith(SafeguardingBasis, StringComparison.Ordinal);

    public const string SafeguardingBasis = "Safeguarding duty";

    /// <summary>A report made under a safeguarding duty: shared without consent, and logged as such.</summary>
    public static Share ForSafeguarding(Consent.SafeguardingConcern concern, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(concern);
        return new Share
        {
            Id = Guid.CreateVersion7(now),
            PersonId = concern.PersonId,
            What = $"A safeguarding concern ({Consent.ConsentLabels.Describe(concern.Kind).ToLowerInvariant()}) and what is needed to act on it",
            Recipient = concern.ReportedTo ?? throw new InvalidOperationException("Only a reported concern is shared."),
            Purpose = $"Safeguarding: {Consent.ConsentLabels.Describe(concern.Kind).ToLowerInvariant()}"
                + (concern.ReportReference is null ? "" : $" (reference {concern.ReportReference})"),
            ConsentBasis = $"{SafeguardingBasis}: shared without the person's consent, as the organisation's policy "
                + (concern.ReportMandatory ? "requires." : "allows."),
            SharedAt = now,
            SharedBy = concern.RaisedBy,
        };
    }
}
