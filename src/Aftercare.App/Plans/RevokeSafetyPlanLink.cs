using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>Revokes a private link to the person's safety plan: it shows nothing from then on.</summary>
public static class RevokeSafetyPlanLink
{
    public static async Task<bool> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Guid linkId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var link = await db.SafetyPlanLinks.FirstOrDefaultAsync(l => l.Id == linkId && l.PersonId == personId, ct);
        if (link is null)
        {
            return false;
        }

        link.Revoke(clock.GetUtcNow());
        db.Audit(clock, actor, AuditAction.SafetyPlanLinkRevoked, AuditPurpose.DirectCare, personId, link.Id.ToString());
        await db.SaveChangesAsync(ct);
        return true;
    }
}
