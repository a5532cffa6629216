using Aftercare.Domain.Assessments;
using Aftercare.Domain.Documents;

namespace Aftercare.Domain.Plans;

/// <summary>The aims a care plan may choose from (NICE CG133 1.4.1; docs/domain.md rule 5). Stored by name.</summary>
public enum CarePlanAim
{
    PreventEscalation,
    ReduceHarmOrSelfHarm,
    ReduceOtherRiskBehaviour,
    ImproveSocialOrOccupationalFunctioning,
    ImproveQualityOfLife,
    ImproveAssociatedMentalHealthConditions,
}

public static class CarePlanAims
{
    public static string Describe(this CarePlanAim aim) => aim switch
    {
        CarePlanAim.PreventEscalation => "Prevent escalation of self-harm",
        CarePlanAim.ReduceHarmOrSelfHarm => "Reduce harm arising from self-harm, or reduce or stop self-harm",
        CarePlanAim.ReduceOtherRiskBehaviour => "Reduce or stop other risk-related behaviour",
        CarePlanAim.ImproveSocialOrOccupationalFunctioning => "Improve social or occupational functioning",
        CarePlanAim.ImproveQualityOfLife => "Improve quality of life",
        CarePlanAim.ImproveAssociatedMentalHealthConditions => "Improve any associated mental-health conditions",
        _ => aim.ToString(),
    };
}

public sealed record ShortTermGoal(string Goal, string Steps);

/// <summary>Who does what: each team member, and the person themselves.</summary>
public sealed record Responsibility(string Who, string What);

/// <summary>One risk agreed in the assessment, the factors linked to it, and what was agreed to do.</summary>
public sealed record RiskManagementEntry(Guid RiskId, string Risk, string Factors, string Actions);

public sealed record CarePlanContent(
    IReadOnlyList<CarePlanAim> Aims,
    string LongTermGoals,
    IReadOnlyList<ShortTermGoal> ShortTermGoals,
    IReadOnlyList<Responsibility> Responsibilities,
    string MadeWith,
    IReadOnlyList<RiskManagementEntry> RiskManagement,
    string CrisisPlan,
    DateOnly? AgreedOn,
    DateOnly? ReviewBy)
{
    /// <summary>NICE: review with the person at agreed intervals of at most 12 months.</summary>
    public const int MaxReviewMonths = 12;

    public static CarePlanContent Empty { get; } = new([], "", [], [], "", [], "", null, null);

    public IReadOnlyList<Error> CheckForSaving(DateOnly today)
    {
        var errors = new Errors();
        errors.AddIf(Aims.Any(a => !Enum.IsDefined(a)), "aims", "One of the aims is not one of NICE's six.");
        errors.AddIf(LongTermGoals.Length > 4000 || CrisisPlan.Length > 4000 || MadeWith.Length > 1000, "longTermGoals", "A section is too long (at most 4000 characters).");
        errors.AddIf(ShortTermGoals.Count > 20 || Responsibilities.Count > 20, "shortTermGoals", "At most 20 goals and 20 responsibilities.");
        errors.AddIf(AgreedOn > today, "agreedOn", "The date the plan was agreed is in the future.");
        if (ReviewBy is { } review)
        {
            var from = AgreedOn ?? today;
            errors.AddIf(review <= from, "reviewBy", "The review date must be after the date the plan was agreed.");
            errors.AddIf(review > from.AddMonths(MaxReviewMonths), "reviewBy",
                $"A care plan is reviewed with the person at least every {MaxReviewMonths} months (NICE): choose a date on or before {from.AddMonths(MaxReviewMonths):d MMMM yyyy}.");
        }

        return errors.List;
    }

    /// <summary>The agreed risks from the assessment that the risk-management plan does not yet answer (docs/domain.md rule 6).</summary>
    public IReadOnlyList<AgreedRisk> Unaddressed(IEnumerable<AgreedRisk> agreedRisks) =>
        [.. agreedRisks.Where(r => !RiskManagement.Any(e => e.RiskId == r.Id && !string.IsNullOrWhiteSpace(e.Actions)))];

    public IReadOnlyList<Error> CheckForAgreement(DateOnly today, IReadOnlyList<AgreedRisk> agreedRisks)
    {
        var errors = new Errors();
        errors.AddIf(Aims.Count == 0, "aims", "Choose at least one aim with the person.");
        errors.AddIf(string.IsNullOrWhiteSpace(LongTermGoals), "longTermGoals", "Write the long-term goals (education, employment, occupation), in the person's words.");
        errors.AddIf(ShortTermGoals.Count == 0, "shortTermGoals", "Add at least one short-term goal with its steps.");
        errors.AddIf(ShortTermGoals.Any(g => string.IsNullOrWhiteSpace(g.Goal) || string.IsNullOrWhiteSpace(g.Steps)), "shortTermGoals", "Each short-term goal needs its steps.");
        errors.AddIf(Responsibilities.Count == 0, "responsibilities", "Write who does what, including the person themselves.");
        errors.AddIf(string.IsNullOrWhiteSpace(CrisisPlan), "crisisPlan", "The risk-management plan needs a crisis plan: what to do, and whom to call, if things get worse.");
        errors.AddIf(AgreedOn is null, "agreedOn", "Enter the date the plan was agreed with the person.");
        errors.AddIf(ReviewBy is null, "reviewBy", $"Choose a review date, at most {MaxReviewMonths} months after agreement.");
        foreach (var risk in Unaddressed(agreedRisks))
        {
            errors.Add("riskManagement", $"The risk-management plan does not yet address an agreed risk: \"{risk.Description}\".");
        }

        return [.. CheckForSaving(today), .. errors.List];
    }
}

/// <summary>
/// A care plan with its risk-management plan, made with the person (FHIR CarePlan + Goal). Agreed
/// plans carry a review date at most 12 months on; every revision is kept.
/// </summary>
public sealed class CarePlan : VersionedDocument<CarePlanContent>
{
    private CarePlan()
        : base(CarePlanContent.Empty)
    {
    }

    /// <summary>The assessment whose agreed risks the plan answers.</summary>
    public Guid AssessmentId { get; private set; }

    /// <summary>Kept beside the content so that worklists can find reviews due.</summary>
    public DateOnly? ReviewBy { get; private set; }

    public static Result<CarePlan> Start(Guid personId, Guid assessmentId, CarePlanContent content, bool agree, IReadOnlyList<AgreedRisk> agreedRisks, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(content);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var errors = agree ? content.CheckForAgreement(today, agreedRisks) : content.CheckForSaving(today);
        if (errors.Count > 0)
        {
            return Result<CarePlan>.Failure(errors);
        }

        var plan = new CarePlan { Id = Guid.CreateVersion7(now), PersonId = personId, AssessmentId = assessmentId, ReviewBy = content.ReviewBy };
        plan.Save(content, agree ? DocumentStatus.Completed : DocumentStatus.Draft, by, now, null);
        return plan;
    }

    public IReadOnlyList<Error> Edit(
        CarePlanContent content, int basedOnVersion, bool agree, string? amendmentReason, IReadOnlyList<AgreedRisk> agreedRisks, string by, DateTimeOffset now,
        out StaleEdit? stale)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var errors = Edit(content, basedOnVersion, agree, amendmentReason, by, now,
            c => c.CheckForSaving(today), c => c.CheckForAgreement(today, agreedRisks), out stale);
        if (errors.Count == 0)
        {
            ReviewBy = content.ReviewBy;
        }

        return errors;
    }

    /// <summary>Due within 30 days or overdue; only agreed plans are reviewed.</summary>
    public bool ReviewDue(DateOnly today) => Status == DocumentStatus.Completed && ReviewBy is { } r && r <= today.AddDays(30);
}
