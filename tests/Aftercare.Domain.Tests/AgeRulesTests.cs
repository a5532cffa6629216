using Aftercare.Domain.People;

namespace Aftercare.Domain.Tests;

/// <summary>Issue 11: one age and age-band rule for every screen, pathway, measure and export.</summary>
public sealed class AgeRulesTests
{
    [Theory]
    [InlineData("2008-06-15", "2026-06-14", 17)] // the day before the 18th birthday
    [InlineData("2008-06-15", "2026-06-15", 18)] // on it
    [InlineData("2008-06-15", "2026-06-16", 18)]
    [InlineData("2008-02-29", "2026-02-28", 17)] // born on a leap day: not 18 on 28 February...
    [InlineData("2008-02-29", "2026-03-01", 18)] // ...but on 1 March in a year without a 29 February
    [InlineData("2008-02-29", "2028-02-29", 20)] // and on the day itself in a leap year
    [InlineData("2008-02-29", "2028-02-28", 19)]
    [InlineData("2000-12-31", "2001-01-01", 0)]
    [InlineData("2000-01-01", "2000-01-01", 0)]
    public void Age_counts_a_birthday_only_once_it_has_come(string born, string on, int age) =>
        Assert.Equal(age, Age.On(DateOnly.Parse(born, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(on, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(0, "Under 18", "0-17")]
    [InlineData(17, "Under 18", "0-17")]
    [InlineData(18, "18 to 24", "18-24")]
    [InlineData(24, "18 to 24", "18-24")]
    [InlineData(25, "25 to 44", "25-44")]
    [InlineData(44, "25 to 44", "25-44")]
    [InlineData(45, "45 to 64", "45-64")]
    [InlineData(64, "45 to 64", "45-64")]
    [InlineData(65, "65 and over", "65+")]
    [InlineData(104, "65 and over", "65+")]
    public void Each_age_falls_in_one_band_with_the_same_edges_as_the_pathways(int age, string label, string code)
    {
        var band = AgeBand.Of(age);
        Assert.Equal(label, band.Label);
        Assert.Equal(code, band.Code);
        Assert.True(age >= band.From && (band.To is null || age <= band.To));
    }

    [Fact]
    public void A_young_person_born_on_a_leap_day_moves_to_the_young_adults_band_on_1_March()
    {
        var born = new DateOnly(2008, 2, 29);
        Assert.Equal("Under 18", AgeBand.Of(born, new DateOnly(2026, 2, 28)).Label);
        Assert.Equal("18 to 24", AgeBand.Of(born, new DateOnly(2026, 3, 1)).Label);
    }
}
