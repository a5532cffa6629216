using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>The person's current safety plan, with its revisions and private links. Reading it is audited.</summary>
public static class GetSafetyPlan
{
    public sealed record View(Person Person, SafetyPlan? Plan, IReadOnlyList<Revision<SafetyPlanContent>> Revisions, IReadOnlyList<SafetyPlanLink> Links);

    public static async Task<View?> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (await PlanReads.Latest<SafetyPlan, SafetyPlanContent>(db, db.SafetyPlans, personId, ct) is not { } found)
        {
            return null;
        }

        var (person, plan) = found;
        var links = plan is null ? [] : await db.SafetyPlanLinks.AsNoTracking().Where(l => l.SafetyPlanId == plan.Id).OrderByDescending(l => l.Id).ToListAsync(ct);
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, personId, plan is null ? null : $"safety plan {plan.Id}");
        await db.SaveChangesAsync(ct);
        return new View(person, plan, PlanReads.NewestFirst(plan), links);
    }
}
