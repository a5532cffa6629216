using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Documents;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>
/// Saves the person's care plan with its risk-management plan, answering the risks agreed in their
/// assessment. Agreeing it needs every agreed risk addressed and a review within 12 months.
/// </summary>
public static class SaveCarePlan
{
    public sealed record Command(Guid PersonId, Guid? CarePlanId, int BasedOnVersion, CarePlanContent Content, bool Agree, string? AmendmentReason);

    public static async Task<SaveOutcome<CarePlanContent>> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Command command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(command);
        var now = clock.GetUtcNow();
        var plan = command.CarePlanId is { } id ? await db.CarePlans.FirstOrDefaultAsync(p => p.Id == id && p.PersonId == command.PersonId, ct) : null;
        if (command.CarePlanId is not null && plan is null)
        {
            return new Missing<CarePlanContent>();
        }

        var assessment = plan is not null
            ? await db.Assessments.AsNoTracking().FirstAsync(a => a.Id == plan.AssessmentId, ct)
            : await Assessments.GetAssessment.LatestFor(db, command.PersonId, ct);
        if (assessment is null)
        {
            return new Invalid<CarePlanContent>([new("assessment", "Start with a psychosocial assessment: the care plan answers the risks agreed in it.")]);
        }

        if (command.Agree && assessment.Status != DocumentStatus.Completed)
        {
            return new Invalid<CarePlanContent>([new("assessment", "Complete the assessment before agreeing the care plan.")]);
        }

        var risks = assessment.Content.AgreedRisks;
        if (plan is null)
        {
            var started = CarePlan.Start(command.PersonId, assessment.Id, command.Content, command.Agree, risks, actor.Email, now);
            if (!started.IsSuccess)
            {
                return new Invalid<CarePlanContent>(started.Errors);
            }

            plan = started.Value;
            db.CarePlans.Add(plan);
        }
        else
        {
            var errors = plan.Edit(command.Content, command.BasedOnVersion, command.Agree, command.AmendmentReason, risks, actor.Email, now, out var stale);
            if (errors.Count > 0)
            {
                return DocumentSaving.Refused(errors, stale, plan.Content);
            }
        }

        db.Audit(clock, actor, AuditAction.CarePlanSaved, AuditPurpose.DirectCare, command.PersonId, $"{plan.Id} v{plan.Version}");
        var planId = plan.Id;
        return await db.CommitAsync<CarePlan, CarePlanContent>(plan, command.BasedOnVersion,
            () => db.CarePlans.AsNoTracking().FirstOrDefaultAsync(p => p.Id == planId, ct), ct);
    }
}
