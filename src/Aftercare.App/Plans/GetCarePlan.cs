using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>The person's current care plan, with its revisions and the assessment it rests on. Reading it is audited.</summary>
public static class GetCarePlan
{
    public sealed record View(Person Person, CarePlan? Plan, PsychosocialAssessment? Assessment, IReadOnlyList<Revision<CarePlanContent>> Revisions);

    public static async Task<View?> Handle(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (await PlanReads.Latest<CarePlan, CarePlanContent>(db, db.CarePlans, personId, ct) is not { } found)
        {
            return null;
        }

        var (person, plan) = found;
        var assessment = plan is not null
            ? await db.Assessments.AsNoTracking().FirstOrDefaultAsync(a => a.Id == plan.AssessmentId, ct)
            : await Assessments.GetAssessment.LatestFor(db, personId, ct);
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, personId, plan is null ? null : $"care plan {plan.Id}");
        await db.SaveChangesAsync(ct);
        return new View(person, plan, assessment, PlanReads.NewestFirst(plan));
    }
}
