using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>The person opens their safety plan by its private link, without signing in.</summary>
public static class OpenSafetyPlanLink
{
    public sealed record Opened(Guid PersonId, string GivenName, SafetyPlanContent Content, DateTimeOffset UpdatedAt, DateTimeOffset ExpiresAt);

    /// <summary>
    /// The plan behind a token, or null when the token is unknown, expired or revoked: the same
    /// empty answer for each, so a guessed or old link learns nothing.
    /// </summary>
    public static async Task<Opened?> Handle(AftercareDbContext db, TimeProvider clock, string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = clock.GetUtcNow();
        var link = await db.SafetyPlanLinks.FindByTokenAsync(l => l.TokenHash, token, ct);
        if (link is null || !link.IsUsable(now))
        {
            return null;
        }

        // The link shows the plan as it is now: a revision made with the person reaches their phone.
        var plan = await db.SafetyPlans.AsNoTracking().FirstAsync(p => p.Id == link.SafetyPlanId, ct);
        var name = await db.People.Where(p => p.Id == link.PersonId).Select(p => p.GivenName).FirstAsync(ct);
        db.Audit(clock, new Actor("", "(the person, by private link)", []), AuditAction.SafetyPlanOpenedByLink, AuditPurpose.DirectCare, link.PersonId, link.Id.ToString());
        await db.SaveChangesAsync(ct);
        return new Opened(link.PersonId, name, plan.Content, plan.UpdatedAt, link.ExpiresAt);
    }
}
