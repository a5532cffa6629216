using Aftercare.App.Data;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Consent;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Sharing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Consent;

/// <summary>Whether the person agrees to share with their GP now.</summary>
public static class GetGpConsent
{
    /// <summary>
    /// Whether the person agrees to share with their GP now: the latest of their recorded decision
    /// (withdrawn means no, from the moment it was withdrawn) and their completed assessment.
    /// </summary>
    public static async Task<(ConfidentialityAndConsent? Consent, DateTimeOffset? At, string? Source)> Handle(AftercareDbContext db, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var assessment = await db.Assessments.AsNoTracking()
            .Where(a => a.PersonId == personId && a.Status == DocumentStatus.Completed)
            .OrderByDescending(a => a.UpdatedAt).FirstOrDefaultAsync(ct);
        var decision = await db.ConsentDecisions.AsNoTracking()
            .Where(d => d.PersonId == personId && d.Topic == ConsentTopic.ShareWithGp)
            .OrderByDescending(d => d.RecordedAt).FirstOrDefaultAsync(ct);
        var decidedAt = decision?.WithdrawnAt ?? decision?.RecordedAt;
        if (decision is null || (assessment is not null && assessment.UpdatedAt > decidedAt))
        {
            return (assessment?.Content.Consent, assessment?.UpdatedAt, null);
        }

        var answer = decision.InForce ? YesNoUnknown.Yes : YesNoUnknown.No;
        var basis = (assessment?.Content.Consent ?? ConfidentialityAndConsent.NotYetAsked) with { ShareWithGp = answer };
        return (basis, decidedAt, decision.WithdrawnAt is null ? "on the consent page" : "withdrawn on the consent page");
    }
}
