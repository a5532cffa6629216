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

    /// <summary>Short, kind guidance for the person writing a section on their own (issue 14.3, 14.4).</summary>
    public static string Guidance(this SafetyPlanSection section) => section switch
    {
        SafetyPlanSection.WarningSigns => "What do you notice when things start to get hard? Thoughts, feelings, places or times of day. A few words is enough.",
        SafetyPlanSection.ThingsICanDo => "Small things that have helped before, even a little: music, a walk, a shower, a game, a film.",
        SafetyPlanSection.PeopleAndPlaces => "People you like being around, or places you can go, that take your mind off things for a while.",
        SafetyPlanSection.PeopleICanAsk => "Someone you trust and could tell how you feel. Add their number, so it is here when you need it.",
        SafetyPlanSection.Professionals => "Your GP, your care team, or services you use. The 24-hour lines are always at the top of your plan.",
        SafetyPlanSection.MakingMySituationSafer => "Anything that puts time and distance between you and harm, like someone else keeping your medicines for now.",
        SafetyPlanSection.ReasonsForLiving => "People, pets, plans, things you love or look forward to. Anything that matters to you.",
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

    /// <summary>
    /// <see cref="Revision{TContent}.SavedBy"/> of a revision the person wrote themselves (issue 14.3): never a
    /// staff sign-in name, so history, FHIR (author = their Patient) and the care team's list tell it apart.
    /// </summary>
    public const string ByThePerson = "(the person, in their own words)";

    public static bool IsByThePerson(string savedBy) => savedBy == ByThePerson;

    /// <summary>
    /// The person changes their own plan (issue 14.3): always a new revision on top, never refused
    /// for being based on an older version and never overwriting the care team's. Section by
    /// section: what they changed (against the version they started from) is theirs; what they
    /// left alone keeps the care team's latest text. Nothing is refused for its words: only the
    /// length and the sections are checked.
    /// </summary>
    public IReadOnlyList<Error> ChangeByThePerson(SafetyPlanContent theirs, int basedOnVersion, DateTimeOffset now, out PersonChange? change)
    {
        ArgumentNullException.ThrowIfNull(theirs);
        change = null;
        var errors = theirs.CheckForSaving();
        if (errors.Count > 0)
        {
            return errors;
        }

        var basis = Revisions.FirstOrDefault(r => r.Version == basedOnVersion);
        if (basis is null)
        {
            return [new Error("version", "This page was made from a version of your plan we cannot find. Reload the page and try again.")];
        }

        var before = Content;
        // A section not sent at all is one they did not touch.
        var mine = SafetyPlanSections.All.Where(s => theirs.Sections.ContainsKey(s) && Same(theirs.Text(s)) != Same(basis.Content.Text(s))).ToList();
        if (mine.Count == 0)
        {
            return [new Error(SafetyPlanSection.WarningSigns.ToString(), "Nothing has changed yet: write your change in any section, then save.")];
        }

        var team = SafetyPlanSections.All.Where(s => Same(before.Text(s)) != Same(basis.Content.Text(s))).ToList();
        var merged = SafetyPlanSections.All.ToDictionary(s => s, s => mine.Contains(s) ? Same(theirs.Text(s)) : before.Text(s));
        Save(new SafetyPlanContent(merged), Status, ByThePerson, now, null);
        change = new PersonChange(basedOnVersion, Version, mine, team);
        return [];
    }

    /// <summary>Text as compared and kept: line ends as one newline, no space around it.</summary>
    private static string Same(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
}

/// <summary>
/// What a change by the person did: the version it was based on, the version it made, the sections
/// they changed, and the sections the care team had changed in between (empty when none).
/// </summary>
public sealed record PersonChange(int BasedOnVersion, int Version, IReadOnlyList<SafetyPlanSection> Theirs, IReadOnlyList<SafetyPlanSection> TeamInBetween);
