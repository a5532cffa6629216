using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Documents;
using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Plans;

/// <summary>The person's current care plan and safety plan, with their revisions. Reading them is audited.</summary>
public static class GetPlans
{
    public sealed record CarePlanView(Person Person, CarePlan? Plan, PsychosocialAssessment? Assessment, IReadOnlyList<Revision<CarePlanContent>> Revisions);

    public sealed record SafetyPlanView(Person Person, SafetyPlan? Plan, IReadOnlyList<Revision<SafetyPlanContent>> Revisions, IReadOnlyList<SafetyPlanLink> Links);

    public static async Task<CarePlanView?> CarePlan(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return null;
        }

        var plan = await db.CarePlans.AsNoTracking().Include(p => p.Revisions)
            .Where(p => p.PersonId == personId).OrderByDescending(p => p.Id).FirstOrDefaultAsync(ct);
        var assessment = plan is not null
            ? await db.Assessments.AsNoTracking().FirstOrDefaultAsync(a => a.Id == plan.AssessmentId, ct)
            : await Assessments.GetAssessment.LatestFor(db, personId, ct);
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, personId, plan is null ? null : $"care plan {plan.Id}");
        await db.SaveChangesAsync(ct);
        return new CarePlanView(person, plan, assessment, plan?.Revisions.OrderByDescending(r => r.Version).ToList() ?? []);
    }

    public static async Task<SafetyPlanView?> SafetyPlan(AftercareDbContext db, TimeProvider clock, Actor actor, Guid personId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var person = await db.People.AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null)
        {
            return null;
        }

        var plan = await db.SafetyPlans.AsNoTracking().Include(p => p.Revisions)
            .Where(p => p.PersonId == personId).OrderByDescending(p => p.Id).FirstOrDefaultAsync(ct);
        var links = plan is null ? [] : await db.SafetyPlanLinks.AsNoTracking().Where(l => l.SafetyPlanId == plan.Id).OrderByDescending(l => l.Id).ToListAsync(ct);
        db.Audit(clock, actor, AuditAction.DocumentViewed, AuditPurpose.DirectCare, personId, plan is null ? null : $"safety plan {plan.Id}");
        await db.SaveChangesAsync(ct);
        return new SafetyPlanView(person, plan, plan?.Revisions.OrderByDescending(r => r.Version).ToList() ?? [], links);
    }

    /// <summary>Agreed care plans whose review is due within 30 days or overdue, soonest first (docs/domain.md rule 5).</summary>
    public static async Task<IReadOnlyList<(Guid PersonId, string Name, DateOnly ReviewBy)>> ReviewsDue(AftercareDbContext db, TimeProvider clock, string userId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var careTeam = Access.RecordAccess.CareTeam(db, userId);
        var horizon = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(30);
        var rows = await db.CarePlans.AsNoTracking()
            .Where(p => p.Status == DocumentStatus.Completed && p.ReviewBy != null && p.ReviewBy <= horizon && careTeam.Contains(p.PersonId))
            .Join(db.People, p => p.PersonId, person => person.Id, (p, person) => new { p.PersonId, person.GivenName, person.FamilyName, p.ReviewBy })
            .OrderBy(x => x.ReviewBy)
            .ToListAsync(ct);
        return [.. rows.Select(r => (r.PersonId, $"{r.GivenName} {r.FamilyName}", r.ReviewBy!.Value))];
    }
}
