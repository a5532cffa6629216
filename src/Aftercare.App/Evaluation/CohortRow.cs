namespace Aftercare.App.Evaluation;

/// <summary>
/// One person in the evaluation cohort, at their index presentation: pseudonymised, with follow-up
/// from the landmark (see docs/evaluation.md). No name, date or identifier, and no predicted
/// anything (docs/domain.md rule 1): only what happened and the groups used to compare.
/// </summary>
/// <param name="DaysToDeath">Null when mortality data are not linked; then both death flags are null too.</param>
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
    bool? DeathAny)
{
    public bool MortalityLinked => DaysToDeath is not null;
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
