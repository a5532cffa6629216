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
    public static async Task<IReadOnlyList<ReferralRow>> Handle(AftercareDbContext db, TimeProvider clock, string userId, CancellationToken ct) =>
        [.. (await ReferralRows.Query(db, Overdue(db, clock, userId), ct)).OrderBy(r => r.Referral.DueBy)];

    /// <summary>The referrals of <see cref="Handle"/>, as a query (the navigation badge counts them with the rest, <c>Worklist.BadgeCount</c>).</summary>
    public static IQueryable<Referral> Overdue(AftercareDbContext db, TimeProvider clock, string userId)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        var careTeam = Access.RecordAccess.CareTeam(db, userId);
        return db.Referrals.Where(r => (r.Status == ReferralStatus.Sent || r.Status == ReferralStatus.Accepted || r.Status == ReferralStatus.AppointmentBooked)
            && careTeam.Contains(r.PersonId) && r.DueBy < now);
    }
}
