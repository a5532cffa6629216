using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Sharing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Sharing;

/// <summary>
/// Shares the person's agreed care plan and completed safety plan with their GP in a letter,
/// recorded as a share, only with the person's consent (docs/domain.md rule 8).
/// </summary>
public static class ShareWithGp
{
    public static async Task<Result<Share>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return Result<Share>.Failure(Error.NotFound("personId", "That person was not found."));
        }

        // The latest word on consent counts: a withdrawal on the consent page stops the letter at once.
        var (consent, consentAt, consentSource) = await Consent.GetGpConsent.Handle(db, personId, ct);
        var carePlan = await db.CarePlans.AsNoTracking()
            .Where(p => p.PersonId == personId && p.Status == DocumentStatus.Completed).OrderByDescending(p => p.Id)
            .Select(p => new { p.Id, p.Version }).FirstOrDefaultAsync(ct);
        var safetyPlan = await db.SafetyPlans.AsNoTracking()
            .Where(p => p.PersonId == personId && p.Status == DocumentStatus.Completed).OrderByDescending(p => p.Id)
            .Select(p => new { p.Id, p.Version }).FirstOrDefaultAsync(ct);

        var share = Share.WithGp(personId, person.GpPractice, consent, consentAt,
            carePlan is null ? null : (carePlan.Id, carePlan.Version), safetyPlan is null ? null : (safetyPlan.Id, safetyPlan.Version),
            actor.Email, clock.GetUtcNow(), consentSource);
        if (!share.IsSuccess)
        {
            // A refusal is recorded too: someone tried to share, and why it did not happen.
            db.Audit(clock, actor, AuditAction.ShareRefused, AuditPurpose.DirectCare, personId, share.Errors[0].Field);
            await db.SaveChangesAsync(ct);
            return share;
        }

        db.Shares.Add(share.Value);
        db.Audit(clock, actor, AuditAction.SharedWithGp, AuditPurpose.DirectCare, personId, share.Value.Id.ToString());
        await db.SaveChangesAsync(ct);
        return share;
    }
}
