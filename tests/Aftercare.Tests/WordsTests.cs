using Aftercare.App;

namespace Aftercare.Tests;

/// <summary>Issue #11: "1 failed tries" and "not reached 1 time(s)" read wrong; counts go through one formatter.</summary>
public sealed class WordsTests
{
    [Theory]
    [InlineData(0, "failed try", "0 failed tries")]
    [InlineData(1, "failed try", "1 failed try")]
    [InlineData(3, "failed try", "3 failed tries")]
    [InlineData(1, "death", "1 death")]
    [InlineData(2, "death", "2 deaths")]
    [InlineData(1, "presentation", "1 presentation")]
    [InlineData(11, "person", "11 people")]
    public void A_count_reads_as_a_person_would_say_it(int count, string noun, string expected) =>
        Assert.Equal(expected, Words.Count(count, noun));

    [Theory]
    [InlineData(1, "once")]
    [InlineData(2, "twice")]
    [InlineData(3, "3 times")]
    public void How_often_reads_as_words(int count, string expected) => Assert.Equal(expected, Words.Times(count));

    [Fact]
    public void A_code_name_reads_as_words() => Assert.Equal("Break glass reviewed", Words.FromCodeName("BreakGlassReviewed"));
}
