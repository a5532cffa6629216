using Aftercare.App.Data;
using Aftercare.Domain.Access;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Access;

/// <summary>The privacy lead's review queue of emergency access.</summary>
public static class GetBreakGlassUses
{
    /// <summary>A use on the review queue, with how many times the record was opened under it.</summary>
    public sealed record Use(BreakGlassGrant Grant, int Openings);

    public static async Task<IReadOnlyList<Use>> Handle(AftercareDbContext db, bool reviewed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var grants = await db.BreakGlassGrants.AsNoTracking()
            .Where(g => reviewed ? g.ReviewedAt != null : g.ReviewedAt == null)
            .OrderBy(g => g.GrantedAt).Take(200).ToListAsync(ct);
        var uses = new List<Use>();
        foreach (var g in grants)
        {
            var openings = await db.AuditEvents.CountAsync(a => a.Action == AuditAction.BreakGlassAccess && a.ActorId == g.UserId && a.PersonId == g.PersonId && a.At >= g.GrantedAt && a.At < g.ExpiresAt, ct);
            uses.Add(new Use(g, openings));
        }

        return reviewed ? [.. uses.OrderByDescending(u => u.Grant.ReviewedAt)] : uses;
    }
}
