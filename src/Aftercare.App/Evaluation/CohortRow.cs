namespace Aftercare.App.Evaluation;

/// <summary>
/// One person in the evaluation cohort, at their index presentation: pseudonymised, with follow-up
/// from the landmark (see docs/evaluation.md). No name, date or identifier, and no predicted
/// anything (docs/domain.md rule 1): only what happened and the groups used to compare.
/// </summary>
/// <param name="DaysToDeath">Null when mortality data are not linked; then both death flags are null too.</param>
/// <param name="FollowUp">Every repeat presentation and the day of the first contact; null in a cohort file written before they were exported.</param>
public sealed record CohortRow(
    string Pid,
    string AgeBand,
    string Sex,
    string PriorPsychHistory,
    bool Engaged,
    string Pathway,
    int DaysToRepeat,
    bool Repeat,
    int? DaysToDeath,
    bool? DeathSuicide,
    bool? DeathAny,
    FollowUpDetail? FollowUp = null)
{
    public bool MortalityLinked => DaysToDeath is not null;
}

/// <summary>
/// What the first event does not say: every repeat presentation in follow-up (the analysis of all repeats, not
/// only the first) and when aftercare first reached the person (the landmark varied). Days from the landmark
/// unless said otherwise.
/// </summary>
/// <param name="DaysFollowed">The end of follow-up for repeat presentations: the end of follow-up or death, whichever is first.</param>
/// <param name="RepeatDays">The day of each repeat presentation, in order, at most one a day (a second on the same day is the same return for help); empty for none.</param>
/// <param name="LandmarkDays">The landmark: days from the index presentation to the start of follow-up (the engagement window).</param>
/// <param name="DaysToContact">Days from the index presentation (not the landmark) to the first aftercare contact that reached the person; null when none did before follow-up ended.</param>
public sealed record FollowUpDetail(int DaysFollowed, IReadOnlyList<int> RepeatDays, int LandmarkDays, int? DaysToContact)
{
    public static IReadOnlyList<int> NoRepeats { get; } = [];

    /// <summary>The same follow-up: the same days, not the same list object (a file read back equals what was written).</summary>
    public bool Equals(FollowUpDetail? other) =>
        other is not null && DaysFollowed == other.DaysFollowed && LandmarkDays == other.LandmarkDays && DaysToContact == other.DaysToContact
        && RepeatDays.SequenceEqual(other.RepeatDays);

    public override int GetHashCode() => HashCode.Combine(DaysFollowed, RepeatDays.Count, LandmarkDays, DaysToContact);
}

/// <summary>The categories the cohort uses, in the order tables show them; the first of each is the reference in Cox models.</summary>
public static class CohortCategories
{
    public static IReadOnlyList<string> AgeBands { get; } = ["25-44", "0-17", "18-24", "45-64", "65+"];

    public static IReadOnlyList<string> Sexes { get; } = ["female", "male", "other", "unknown"];

    public static IReadOnlyList<string> PsychHistory { get; } = ["no", "yes", "unknown"];

    /// <summary>The age bands of the pathways (docs/domain.md rule 12): young people, young adults, adults, older adults.</summary>
    public static string AgeBand(int age) => Domain.People.AgeBand.Of(age).Code;

    public static string Describe(string ageBand) => ageBand switch
    {
        "0-17" => "under 18",
        "65+" => "65 and over",
        _ => ageBand,
    };
}
