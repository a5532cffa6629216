using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Sharing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Sharing;

/// <summary>A share as it was sent: the exact versions of the plans in the letter.</summary>
public static class GetShare
{
    public sealed record Letter(Share Share, Person Person, CarePlanContent? CarePlan, SafetyPlanContent? SafetyPlan);

    public static async Task<Letter?> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid shareId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var share = await db.Shares.AsNoTracking().FirstOrDefaultAsync(s => s.Id == shareId, ct);
        if (share is null)
        {
            return null;
        }

        var person = await db.People.AsNoTracking().FirstAsync(p => p.Id == share.PersonId, ct);
        var carePlan = share.CarePlanId is { } c
            ? await db.Set<Domain.Documents.Revision<CarePlanContent>>().AsNoTracking()
                .Where(r => r.DocumentId == c && r.Version == share.CarePlanVersion).Select(r => r.Content).FirstOrDefaultAsync(ct)
            : null;
        var safetyPlan = share.SafetyPlanId is { } s
            ? await db.Set<Domain.Documents.Revision<SafetyPlanContent>>().AsNoTracking()
                .Where(r => r.DocumentId == s && r.Version == share.SafetyPlanVersion).Select(r => r.Content).FirstOrDefaultAsync(ct)
            : null;
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, share.PersonId, $"share {share.Id}");
        await db.SaveChangesAsync(ct);
        return new Letter(share, person, carePlan, safetyPlan);
    }
}
