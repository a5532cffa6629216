using Aftercare.App.Documents;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Plans;
using Hl7.Fhir.Model;
using CarePlan = Hl7.Fhir.Model.CarePlan;

namespace Aftercare.Fhir;

/// <summary>
/// Care plans and safety plans as FHIR CarePlan (the safety plan with category LOINC 87626-8),
/// written field by field. Each saved version is a FHIR version: vread and history read the revisions.
/// </summary>
public static class PlanMapping
{
    public const string LoincSystem = "http://loinc.org";
    public const string SafetyPlanLoinc = "87626-8";
    public const string CarePlanCategorySystem = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category";

    public static CarePlan ToCarePlan(Guid id, Guid personId, Revision<CarePlanContent> revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        var content = revision.Content;
        var plan = Base(id, personId, revision.Version, revision.SavedAt, revision.Status, "Care plan and risk-management plan");
        plan.Category.Add(new CodeableConcept(CarePlanCategorySystem, "assess-plan", "Assessment and Plan of Treatment"));
        if (content.AgreedOn is { } agreed)
        {
            plan.Period = new Period { Start = agreed.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), End = content.ReviewBy?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) };
        }

        for (var i = 0; i < content.ShortTermGoals.Count; i++)
        {
            var goal = content.ShortTermGoals[i];
            var contained = new Goal
            {
                Id = $"goal-{i}",
                LifecycleStatus = Goal.GoalLifecycleStatus.Active,
                Description = new CodeableConcept { Text = goal.Goal },
                Subject = new ResourceReference($"Patient/{personId}"),
            };
            contained.Note.Add(new Annotation { Text = $"Steps: {goal.Steps}" });
            plan.Contained.Add(contained);
            plan.Goal.Add(new ResourceReference($"#goal-{i}"));
        }

        foreach (var part in DocumentText.Parts(content))
        {
            plan.Note.Add(new Annotation { Text = $"{part.Heading}: {part.Text}" });
        }

        return plan;
    }

    public static CarePlan ToSafetyPlan(Guid id, Guid personId, Revision<SafetyPlanContent> revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        var plan = Base(id, personId, revision.Version, revision.SavedAt, revision.Status, "Safety plan");
        plan.Category.Add(new CodeableConcept(LoincSystem, SafetyPlanLoinc, "Suicide prevention safety plan"));
        foreach (var section in SafetyPlanSections.All)
        {
            plan.Activity.Add(new CarePlan.ActivityComponent
            {
                Detail = new CarePlan.DetailComponent
                {
                    Status = CarePlan.CarePlanActivityStatus.NotStarted,
                    Code = new CodeableConcept { Text = section.Title() },
                    Description = revision.Content.Text(section),
                },
            });
        }

        return plan;
    }

    private static CarePlan Base(Guid id, Guid personId, int version, DateTimeOffset savedAt, DocumentStatus status, string title) => new()
    {
        Id = id.ToString(),
        Meta = new Meta { VersionId = version.ToString(System.Globalization.CultureInfo.InvariantCulture), LastUpdated = savedAt },
        Status = status == DocumentStatus.Completed ? RequestStatus.Active : RequestStatus.Draft,
        Intent = CarePlan.CarePlanIntent.Plan,
        Title = title,
        Subject = new ResourceReference($"Patient/{personId}"),
    };
}
