using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Consent;
using Aftercare.Domain.Sharing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Consent;

/// <summary>Consent, sharing and safeguarding for one person: decisions, concerns and the log of every share. Reading it is audited.</summary>
public static class GetConsentRecord
{
    public sealed record View(IReadOnlyList<ConsentDecision> Decisions, IReadOnlyList<SafeguardingConcern> Concerns, IReadOnlyList<Share> Shares);

    public static async Task<View> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var decisions = await db.ConsentDecisions.AsNoTracking().Where(d => d.PersonId == personId).OrderByDescending(d => d.RecordedAt).ToListAsync(ct);
        var concerns = await db.SafeguardingConcerns.AsNoTracking().Where(c => c.PersonId == personId).OrderByDescending(c => c.RaisedAt).ToListAsync(ct);
        var shares = await db.Shares.AsNoTracking().Where(s => s.PersonId == personId).OrderByDescending(s => s.SharedAt).ToListAsync(ct);
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, personId, "consent, sharing and safeguarding");
        await db.SaveChangesAsync(ct);
        return new View(decisions, concerns, shares);
    }
}
