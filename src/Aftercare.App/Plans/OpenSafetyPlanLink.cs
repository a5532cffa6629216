using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>The person opens their safety plan by its private link, without signing in.</summary>
public static class OpenSafetyPlanLink
{
    public sealed record Opened(
        PlanHolder Holder, string GivenName, SafetyPlanContent Content, int Version, DateTimeOffset UpdatedAt,
        IReadOnlyList<Revision<SafetyPlanContent>> Revisions, IReadOnlyList<PersonPlanChange> TheirChanges)
    {
        public Guid PersonId => Holder.PersonId;

        public DateTimeOffset ExpiresAt => Holder.ExpiresAt;

        public SafetyPlanContent? At(int version) => Revisions.FirstOrDefault(r => r.Version == version)?.Content;
    }

    /// <summary>
    /// The plan behind a token, or null when the token is unknown, expired or revoked: the same
    /// empty answer for each, so a guessed or old link learns nothing.
    /// </summary>
    public static async Task<Opened?> Handle(AftercareDbContext db, TimeProvider clock, string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (await PlanHolders.ForRequest(db, clock, token, ct) is not { } holder)
        {
            return null;
        }

        // The link shows the plan as it is now: a revision made with the person reaches their phone.
        var plan = await db.SafetyPlans.AsNoTracking().Include(p => p.Revisions).FirstAsync(p => p.Id == holder.SafetyPlanId, ct);
        var name = await db.People.Where(p => p.Id == holder.PersonId).Select(p => p.GivenName).FirstAsync(ct);
        var theirs = await db.PersonPlanChanges.AsNoTracking().Where(c => c.SafetyPlanId == plan.Id).OrderByDescending(c => c.Version).ToListAsync(ct);
        db.Audit(clock, PlanHolder.Actor, AuditAction.SafetyPlanOpenedByLink, AuditPurpose.DirectCare, holder.PersonId, holder.LinkId.ToString());
        await db.SaveChangesAsync(ct);
        return new Opened(holder, name, plan.Content, plan.Version, plan.UpdatedAt, PlanReads.NewestFirst(plan), theirs);
    }
}
