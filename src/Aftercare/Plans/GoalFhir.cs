using System.Globalization;
using Aftercare.App.Data;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using DomainCarePlan = Aftercare.Domain.Plans.CarePlan;

namespace Aftercare.Plans;

/// <summary>A care plan's aims and goals as FHIR Goal (id {carePlan}-aim-n, -goal-n, -long-term), read and searched by patient.</summary>
public static class GoalFhir
{
    public const string Type = "Goal";

    public static readonly SearchDeclaration Searched = new(Type, FhirParameter.Patient, FhirParameter.Subject) { ByPatient = true };

    public const string AimSystem = "urn:aftercare:care-plan-aim";
    public const string CarePlanUrl = FhirSystems.ExtensionBase + "care-plan";

    public static CapabilityStatement.ResourceComponent Capability() =>
        Fhir.Capability.Resource(Searched, "A care plan's aims, short-term goals (with steps) and long-term goals; id {carePlan}-aim-n, -goal-n, -long-term.");

    public static async Task<IResult> Read(string id, HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var plan = id.Length > 36 && Guid.TryParse(id[..36], out var g) ? await db.CarePlans.AsNoTracking().Select(p => new { p.Id, p.PersonId }).FirstOrDefaultAsync(p => p.Id == g, ct) : null;
        var goal = plan is null ? null : (await Goals(db, plan.PersonId, plan.Id, ct)).FirstOrDefault(x => x.Id == id);
        return await RecordAnswers.ReadAsync(context, db, clock, Type, id, goal, plan?.PersonId, ct);
    }

    public static Task<IResult> Search(HttpContext context, AftercareDbContext db, TimeProvider clock, CancellationToken ct) =>
        RecordAnswers.SearchAsync(context, db, clock, Searched, (_, person, token) => Record(db, "", person, token), ct);

    /// <summary>This type's resources in one person's record, as its search finds them before filtering and paging (and <c>$export</c> writes them).</summary>
    internal static Task<List<Resource>> Record(AftercareDbContext db, string appBase, Guid personId, CancellationToken token) => Goals(db, personId, null, token);

    /// <summary>The goals of the person's care plans (or of one plan), each plan at its current version.</summary>
    private static async Task<List<Resource>> Goals(AftercareDbContext db, Guid personId, Guid? planId, CancellationToken ct)
    {
        var plans = await db.CarePlans.AsNoTracking().Where(p => p.PersonId == personId && (planId == null || p.Id == planId)).OrderByDescending(p => p.Id).ToListAsync(ct);
        var assessed = plans.Select(p => p.AssessmentId).ToList();
        var presentations = await db.Assessments.AsNoTracking().Where(a => assessed.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.PresentationId, ct);
        return [.. plans.SelectMany(p => ToGoals(p, presentations[p.AssessmentId]))];
    }

    /// <summary>
    /// A care plan's goals as Goal resources (NICE CG133 1.4.1; docs/domain.md rule 5): each aim chosen
    /// with the person (<c>{plan}-aim-{n}</c>), each short-term goal with its steps
    /// (<c>{plan}-goal-{n}</c>), and the long-term goals (<c>{plan}-long-term</c>), from the plan's
    /// current version. A draft plan's goals are <c>proposed</c>, an agreed plan's <c>active</c>.
    /// R4's <c>Goal.addresses</c> cannot point at a CarePlan, so it points at the self-harm the plan
    /// answers (the Condition of the assessed presentation) and an extension names the CarePlan.
    /// </summary>
    public static IReadOnlyList<Goal> ToGoals(DomainCarePlan plan, Guid presentationId)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var content = plan.Content;
        var goals = new List<Goal>();
        Goal Add(string suffix, string text, CodeableConcept? coded = null)
        {
            var goal = new Goal
            {
                Id = $"{plan.Id}-{suffix}",
                Meta = new Meta { VersionId = plan.Version.ToString(CultureInfo.InvariantCulture), LastUpdated = plan.UpdatedAt },
                LifecycleStatus = plan.Status == DocumentStatus.Completed ? Goal.GoalLifecycleStatus.Active : Goal.GoalLifecycleStatus.Proposed,
                Description = coded ?? new CodeableConcept { Text = text },
                Subject = new ResourceReference($"Patient/{plan.PersonId}"),
                Start = content.AgreedOn is { } agreed ? new Date(agreed.Year, agreed.Month, agreed.Day) : null,
                StatusDateElement = new Date(plan.UpdatedAt.Year, plan.UpdatedAt.Month, plan.UpdatedAt.Day),
            };
            goal.Addresses.Add(new ResourceReference($"Condition/{presentationId}"));
            goal.Extension.Add(new Extension(CarePlanUrl, new ResourceReference($"CarePlan/{plan.Id}")));
            goals.Add(goal);
            return goal;
        }

        for (var i = 0; i < content.Aims.Count; i++)
        {
            var aim = content.Aims[i];
            Add($"aim-{i + 1}", aim.Describe(), new CodeableConcept(AimSystem, aim.ToString(), aim.Describe(), aim.Describe()));
        }

        for (var i = 0; i < content.ShortTermGoals.Count; i++)
        {
            var goal = Add($"goal-{i + 1}", content.ShortTermGoals[i].Goal);
            goal.Note.Add(new Annotation { Text = $"Steps: {content.ShortTermGoals[i].Steps}" });
        }

        if (!string.IsNullOrWhiteSpace(content.LongTermGoals))
        {
            Add("long-term", content.LongTermGoals);
        }

        return goals;
    }
}
