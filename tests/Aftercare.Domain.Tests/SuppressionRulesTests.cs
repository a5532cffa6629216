using Aftercare.Domain.Measures;

namespace Aftercare.Domain.Tests;

/// <summary>Issue #7: no published cell, total or rate reveals a count below the threshold.</summary>
public sealed class SuppressionRulesTests
{
    [Fact]
    public void A_count_below_the_threshold_is_never_shown_and_zero_is()
    {
        Assert.True(Suppression.Alone(3, 5).Suppressed);
        Assert.Equal("fewer than 5", Suppression.Alone(4, 5).ToString());
        Assert.Equal("<5", Suppression.Alone(1, 5).ForCsv());
        Assert.Equal(0, Suppression.Alone(0, 5).Value);
        Assert.Equal(5, Suppression.Alone(5, 5).Value);
    }

    [Fact]
    public void A_single_hidden_part_of_a_shown_total_hides_the_next_smallest_so_it_cannot_be_worked_out()
    {
        var (parts, total) = Suppression.Breakdown([12, 3, 40, 9], 5);
        Assert.Equal([12, null, 40, null], parts.Select(p => p.Value).ToArray());
        Assert.Equal(64, total.Value);
    }

    [Fact]
    public void A_total_below_the_threshold_hides_every_part()
    {
        var (parts, total) = Suppression.Breakdown([2, 0, 1], 5);
        Assert.True(total.Suppressed);
        Assert.Equal([null, 0, null], parts.Select(p => p.Value).ToArray());
    }

    [Fact]
    public void A_rate_is_shown_only_when_both_its_counts_are()
    {
        Assert.Null(Suppression.Rate(Suppression.Alone(3, 5), Suppression.Alone(50, 5)));
        Assert.Equal(20.0, Suppression.Rate(Suppression.Alone(10, 5), Suppression.Alone(50, 5)));
    }

    /// <summary>Every breakdown of up to six parts with counts 0–12: no hidden part can be recovered from what is shown.</summary>
    [Fact]
    public void No_hidden_count_can_be_recovered_from_the_shown_parts_and_total()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 20_000; trial++)
        {
            var counts = Enumerable.Range(0, random.Next(1, 7)).Select(_ => random.Next(0, 13)).ToArray();
            var threshold = random.Next(2, 8);
            var (parts, total) = Suppression.Breakdown(counts, threshold);
            Assert.All(parts.Zip(counts), p => Assert.False(p.First.Value is { } v && Suppression.TooSmall(v, threshold)));
            Assert.False(total.Value is { } t && Suppression.TooSmall(t, threshold));
            var hidden = parts.Count(p => p.Suppressed);
            // With a shown total, exactly one hidden part would be total minus the shown ones.
            Assert.False(total.Value is not null && hidden == 1, string.Join(",", counts) + $" at {threshold}");
        }
    }

    /// <summary>Rates: neither a small numerator, nor the small rest of a denominator, nor a single hidden cell beside a total.</summary>
    [Fact]
    public void No_small_count_or_its_complement_can_be_recovered_from_a_table_of_rates()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 20_000; trial++)
        {
            var size = random.Next(1, 6);
            var denominators = Enumerable.Range(0, size).Select(_ => random.Next(0, 30)).ToArray();
            var numerators = denominators.Select(d => random.Next(0, d + 1)).ToArray();
            var threshold = random.Next(2, 8);
            var (parts, total) = Suppression.Pairs(numerators, denominators, threshold);
            foreach (var (cell, i) in parts.Select((c, i) => (c, i)))
            {
                if (cell.Numerator.Value is { } n)
                {
                    Assert.False(Suppression.TooSmall(n, threshold));
                    Assert.False(Suppression.TooSmall(denominators[i] - n, threshold), $"{n} of {denominators[i]} reveals the rest");
                    Assert.NotNull(cell.Denominator.Value);
                }
            }

            Assert.False(total.Numerator.Value is not null && parts.Count(p => p.Numerator.Suppressed) == 1);
            Assert.False(total.Numerator.Value is { } t && (Suppression.TooSmall(t, threshold) || Suppression.TooSmall(denominators.Sum() - t, threshold)));
        }
    }
}
