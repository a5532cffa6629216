using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Referrals;

/// <summary>One handoff, with its service and person; opening it is audited.</summary>
public static class GetReferral
{
    public static async Task<ReferralRow?> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid referralId, CancellationToken ct)
    {
        var rows = await ReferralRows.Query(db, db.Referrals.Where(r => r.Id == referralId), ct);
        var row = rows.Count > 0 ? rows[0] : null;
        if (row is not null)
        {
            db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, row.Referral.PersonId, $"referral {referralId}");
            await db.SaveChangesAsync(ct);
        }

        return row;
    }
}
