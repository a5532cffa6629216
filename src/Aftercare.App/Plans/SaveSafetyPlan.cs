using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Documents;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>Saves the person's safety plan, written with them in their words.</summary>
public static class SaveSafetyPlan
{
    public sealed record Command(Guid PersonId, Guid? SafetyPlanId, int BasedOnVersion, SafetyPlanContent Content, bool Complete, string? AmendmentReason);

    public static async Task<SaveOutcome<SafetyPlanContent>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Command command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(command);
        var now = clock.GetUtcNow();
        if (!await db.People.AnyAsync(p => p.Id == command.PersonId, ct))
        {
            return new Missing<SafetyPlanContent>();
        }

        SafetyPlan plan;
        if (command.SafetyPlanId is { } id)
        {
            var existing = await db.SafetyPlans.FirstOrDefaultAsync(p => p.Id == id && p.PersonId == command.PersonId, ct);
            if (existing is null)
            {
                return new Missing<SafetyPlanContent>();
            }

            var errors = existing.Edit(command.Content, command.BasedOnVersion, command.Complete, command.AmendmentReason, actor.Email, now, out var stale);
            if (errors.Count > 0)
            {
                return DocumentSaving.Refused(errors, stale, existing.Content);
            }

            plan = existing;
        }
        else
        {
            var started = SafetyPlan.Start(command.PersonId, command.Content, command.Complete, actor.Email, now);
            if (!started.IsSuccess)
            {
                return new Invalid<SafetyPlanContent>(started.Errors);
            }

            plan = started.Value;
            db.SafetyPlans.Add(plan);
        }

        db.Audit(clock, actor, AuditAction.SafetyPlanSaved, AuditPurpose.DirectCare, command.PersonId, $"{plan.Id} v{plan.Version}");
        var planId = plan.Id;
        return await db.CommitAsync<SafetyPlan, SafetyPlanContent>(plan, command.BasedOnVersion,
            () => db.SafetyPlans.AsNoTracking().FirstOrDefaultAsync(p => p.Id == planId, ct), ct);
    }
}
