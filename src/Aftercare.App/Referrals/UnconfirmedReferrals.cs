using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Programme;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Referrals;

/// <summary>Open handoffs past their due date: escalated, on the worklist until followed up.</summary>
public static class UnconfirmedReferrals
{
    /// <summary>Handoffs past their deadline for the people in this user's care team (need-to-know).</summary>
    public static async Task<IReadOnlyList<ReferralRow>> Handle(AftercareDbContext db, TimeProvider clock, string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var careTeam = Access.RecordAccess.CareTeam(db, userId);
        var open = db.Referrals.Where(r => (r.Status == ReferralStatus.Sent || r.Status == ReferralStatus.Accepted || r.Status == ReferralStatus.AppointmentBooked) && careTeam.Contains(r.PersonId));
        return [.. (await ReferralRows.Query(db, open.Where(r => r.DueBy < now), ct)).OrderBy(r => r.Referral.DueBy)];
    }
}
