using Aftercare.App.Audit;
using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Referrals;

/// <summary>The person's handoffs, newest first.</summary>
public static class ReferralsForPerson
{
    public static async Task<IReadOnlyList<ReferralRow>> Handle(AftercareDbContext db, Guid personId, CancellationToken ct) =>
        await ReferralRows.Query(db, db.Referrals.Where(r => r.PersonId == personId), ct);
}
