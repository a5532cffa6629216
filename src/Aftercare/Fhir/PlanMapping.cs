using Aftercare.App.Documents;
using Aftercare.Domain;
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

    public const string AmendmentReasonUrl = PresentationMapping.ExtensionBase + "amendment-reason";

    /// <summary>What a FHIR CarePlan asks to save as a safety plan.</summary>
    public sealed record SafetyPlanWrite(Guid PersonId, SafetyPlanContent Content, bool Complete, string? AmendmentReason);

    /// <summary>
    /// Reads a safety plan back: one activity per section, found by its title (as written by
    /// <see cref="ToSafetyPlan"/>); status active means completed (agreed), draft a draft. Every
    /// problem is named at once.
    /// </summary>
    public static Result<SafetyPlanWrite> FromSafetyPlan(CarePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = new Errors();
        errors.AddIf(!plan.Category.Any(c => c.Coding.Any(x => x.System == LoincSystem && x.Code == SafetyPlanLoinc)),
            "CarePlan.category", $"Only safety plans (category {LoincSystem}|{SafetyPlanLoinc}) are written through FHIR; care plans are agreed with the person on their page.");
        var subject = plan.Subject?.Reference ?? "";
        var personId = subject.StartsWith("Patient/", StringComparison.Ordinal) && Guid.TryParse(subject["Patient/".Length..], out var g) ? g : Guid.Empty;
        errors.AddIf(personId == Guid.Empty, "CarePlan.subject", "Give the subject as Patient/{id}.");
        errors.AddIf(plan.Status is not (RequestStatus.Active or RequestStatus.Draft), "CarePlan.status", "A safety plan is draft or active (agreed).");
        var sections = new Dictionary<SafetyPlanSection, string>();
        for (var i = 0; i < plan.Activity.Count; i++)
        {
            var title = plan.Activity[i].Detail?.Code?.Text;
            var section = SafetyPlanSections.All.Where(s => s.Title() == title).Select(s => (SafetyPlanSection?)s).FirstOrDefault();
            if (section is not { } known)
            {
                errors.Add($"CarePlan.activity[{i}].detail.code.text", $"\"{title}\" is not a safety plan section. The sections are: {string.Join("; ", SafetyPlanSections.All.Select(s => s.Title()))}.");
                continue;
            }

            errors.AddIf(sections.ContainsKey(known), $"CarePlan.activity[{i}]", $"\"{title}\" is given twice.");
            sections[known] = plan.Activity[i].Detail?.Description ?? "";
        }

        if (errors.Any)
        {
            return Result<SafetyPlanWrite>.Failure(errors.List);
        }

        var reason = plan.GetExtensionValue<FhirString>(AmendmentReasonUrl)?.Value;
        return new SafetyPlanWrite(personId, new SafetyPlanContent(sections), plan.Status == RequestStatus.Active, reason);
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
