using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;

namespace Aftercare.App.Plans;

/// <summary>
/// A paper copy (PDF) of the person's safety plan: read as the page reads it (audited as a view), made by the
/// caller's renderer, and audited as printed once the copy exists. Nothing when there is no plan.
/// </summary>
public static class PrintSafetyPlan
{
    public static async Task<byte[]?> Handle(
        AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, Func<GetSafetyPlan.View, Task<byte[]>> render, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(render);
        var view = await GetSafetyPlan.Handle(db, clock, actor, personId, ct);
        if (view?.Plan is null)
        {
            return null;
        }

        var bytes = await render(view);
        db.Audit(clock, actor, AuditAction.SafetyPlanPrinted, AuditPurpose.DirectCare, personId, $"{view.Plan.Id} v{view.Plan.Version}");
        await db.SaveChangesAsync(ct);
        return bytes;
    }
}
