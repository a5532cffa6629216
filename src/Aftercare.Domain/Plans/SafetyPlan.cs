using Aftercare.Domain.Documents;

namespace Aftercare.Domain.Plans;

/// <summary>The seven sections of a safety plan (Stanley–Brown; docs/domain.md rule 7). Stored by name.</summary>
public enum SafetyPlanSection
{
    WarningSigns,
    ThingsICanDo,
    PeopleAndPlaces,
    PeopleICanAsk,
    Professionals,
    MakingMySituationSafer,
    ReasonsForLiving,
}

public static class SafetyPlanSections
{
    public static IReadOnlyList<SafetyPlanSection> All { get; } = Enum.GetValues<SafetyPlanSection>();

    /// <summary>Headings in the person's voice: it is their plan.</summary>
    public static string Title(this SafetyPlanSection section) => section switch
    {
        SafetyPlanSection.WarningSigns => "My warning signs and triggers",
        SafetyPlanSection.ThingsICanDo => "Things I can do on my own",
        SafetyPlanSection.PeopleAndPlaces => "People and places that help me take my mind off things",
        SafetyPlanSection.PeopleICanAsk => "People I can ask for help",
        SafetyPlanSection.Professionals => "Professionals and services I can contact",
        SafetyPlanSection.MakingMySituationSafer => "Making my situation safer",
        SafetyPlanSection.ReasonsForLiving => "My reasons for living, what matters to me",
        _ => section.ToString(),
    };

    public static string Prompt(this SafetyPlanSection section) => section switch
    {
        SafetyPlanSection.WarningSigns => "What tells you a crisis may be coming: thoughts, feelings, situations?",
        SafetyPlanSection.ThingsICanDo => "What can you do by yourself to feel a bit better or get through it?",
        SafetyPlanSection.PeopleAndPlaces => "Who or where helps take your mind off things? Names and numbers if you like.",
        SafetyPlanSection.PeopleICanAsk => "Who could you tell that you are struggling? Names and numbers.",
        SafetyPlanSection.Professionals => "Your GP, your care team, services you use. The 24-hour crisis lines are added below by us.",
        SafetyPlanSection.MakingMySituationSafer => "What could make it harder to act on urges: keeping medicines elsewhere, giving someone a key?",
        SafetyPlanSection.ReasonsForLiving => "What matters to you, who you live for, what you look forward to.",
        _ => "",
    };
}

public sealed record SafetyPlanContent(IReadOnlyDictionary<SafetyPlanSection, string> Sections)
{
    public const int MaxSectionLength = 4000;

    public static SafetyPlanContent Empty { get; } = new(new Dictionary<SafetyPlanSection, string>());

    public string Text(SafetyPlanSection section) => Sections.TryGetValue(section, out var text) ? text : "";

    public IReadOnlyList<Error> CheckForSaving()
    {
        var errors = new Errors();
        foreach (var (section, text) in Sections)
        {
            errors.AddIf(!Enum.IsDefined(section), "sections", "An unknown section was sent.");
            errors.AddIf(text.Length > MaxSectionLength, section.ToString(), $"{section.Title()}: at most {MaxSectionLength} characters.");
        }

        return errors.List;
    }

    /// <summary>A plan given to the person has something, in their words, in every section.</summary>
    public IReadOnlyList<Error> CheckForCompletion() =>
    [
        .. CheckForSaving(),
        .. SafetyPlanSections.All.Where(s => string.IsNullOrWhiteSpace(Text(s)))
            .Select(s => new Error(s.ToString(), $"{s.Title()}: write something with the person, even \"not yet\".")),
    ];
}

/// <summary>The person's crisis plan, co-written and owned by them (FHIR CarePlan, category LOINC 87626-8).</summary>
public sealed class SafetyPlan : VersionedDocument<SafetyPlanContent>
{
    private SafetyPlan()
        : base(SafetyPlanContent.Empty)
    {
    }

    public static Result<SafetyPlan> Start(Guid personId, SafetyPlanContent content, bool complete, string by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(content);
        var errors = complete ? content.CheckForCompletion() : content.CheckForSaving();
        if (errors.Count > 0)
        {
            return Result<SafetyPlan>.Failure(errors);
        }

        var plan = new SafetyPlan { Id = Guid.CreateVersion7(now), PersonId = personId };
        plan.Save(content, complete ? DocumentStatus.Completed : DocumentStatus.Draft, by, now, null);
        return plan;
    }

    public IReadOnlyList<Error> Edit(SafetyPlanContent content, int basedOnVersion, bool complete, string? amendmentReason, string by, DateTimeOffset now, out StaleEdit? stale) =>
        Edit(content, basedOnVersion, complete, amendmentReason, by, now, c => c.CheckForSaving(), c => c.CheckForCompletion(), out stale);
}
