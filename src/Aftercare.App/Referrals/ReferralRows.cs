using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Programme;
using Aftercare.Domain;
using Aftercare.Domain.Referrals;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Referrals;

/// <summary>A handoff as the pages list it: with its service, whether that service is clinical, and the person.</summary>
public sealed record ReferralRow(Referral Referral, string ServiceName, bool Clinical, string PersonName);

/// <summary>The one query behind the handoff lists.</summary>
internal static class ReferralRows
{
    internal static async Task<IReadOnlyList<ReferralRow>> Query(AftercareDbContext db, IQueryable<Referral> referrals, CancellationToken ct)
    {
        var rows = await (
            from r in referrals.AsNoTracking()
            join s in db.Services on r.ServiceId equals s.Id
            join p in db.People on r.PersonId equals p.Id
            select new { Referral = r, s.Name, s.Kind, p.GivenName, p.FamilyName }).ToListAsync(ct);
        return [.. rows.Select(x => new ReferralRow(x.Referral, x.Name, x.Kind.IsClinical(), $"{x.GivenName} {x.FamilyName}")).OrderByDescending(r => r.Referral.SentAt)];
    }
}
