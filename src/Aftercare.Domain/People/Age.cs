namespace Aftercare.Domain.People;

/// <summary>
/// The one rule for a person's age and age band (issue 11): every screen, pathway, measure,
/// export and evaluation asks here. Age is in whole years on a given day, counting a birthday only
/// once it has arrived; someone born on 29 February turns a year older on 1 March in a year
/// without a 29 February (the usual reading of the law in England and Wales).
/// </summary>
public static class Age
{
    /// <summary>Whole years between <paramref name="born"/> and <paramref name="on"/> (0 before the first birthday).</summary>
    public static int On(DateOnly born, DateOnly on)
    {
        var age = on.Year - born.Year;
        return (on.Month, on.Day).CompareTo((born.Month, born.Day)) < 0 ? age - 1 : age;
    }
}

/// <summary>One age band, with the label people read and the short code the cohort file uses.</summary>
public sealed record AgeBand(string Label, string Code, int From, int? To)
{
    /// <summary>The bands the pathways (docs/domain.md rule 12) and the measures use: young people, young adults, adults, older adults.</summary>
    public static IReadOnlyList<AgeBand> All { get; } =
    [
        new("Under 18", "0-17", 0, 17),
        new("18 to 24", "18-24", 18, 24),
        new("25 to 44", "25-44", 25, 44),
        new("45 to 64", "45-64", 45, 64),
        new("65 and over", "65+", 65, null),
    ];

    /// <summary>The band a person of this age is in.</summary>
    public static AgeBand Of(int age) => All.Last(b => age >= b.From || b.From == 0);

    /// <summary>The band of someone born on <paramref name="born"/>, on the day <paramref name="on"/>.</summary>
    public static AgeBand Of(DateOnly born, DateOnly on) => Of(Age.On(born, on));
}
