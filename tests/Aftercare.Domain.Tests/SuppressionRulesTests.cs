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

/// <summary>Issue 11: a number hidden only to protect a small one is labelled for what it is, never as small.</summary>
public sealed class SuppressionLabelRulesTests
{
    [Fact]
    public void A_group_where_everyone_was_assessed_is_not_shown_as_fewer_than_5()
    {
        // As reported: Riverside 11 of 11 assessed beside a site with 3 of 19. The 3 is small; 11 is
        // hidden only so that the 3 cannot be worked out from the total: it is "5 or more", never "fewer than 5".
        var (parts, total) = Suppression.Pairs([11, 3, 30], [11, 19, 40], 5);
        Assert.Equal("5 or more", parts[0].Numerator.Label);
        Assert.True(parts[0].Numerator.Protective);
        Assert.Contains("so that a small number cannot be worked out", parts[0].Numerator.ToString(), StringComparison.Ordinal);
        Assert.Equal(">=5", parts[0].Numerator.ForCsv());
        Assert.Equal("11", parts[0].Denominator.Label);
        Assert.Equal("fewer than 5", parts[1].Numerator.Label);
        Assert.Equal("<5", parts[1].Numerator.ForCsv());
        Assert.Equal(30, parts[2].Numerator.Value);
        Assert.Equal(44, total.Numerator.Value);
        Assert.Equal(70, total.Denominator.Value);
    }

    [Fact]
    public void Twelve_of_thirteen_is_hidden_as_5_or_more_because_the_one_left_is_small()
    {
        var (parts, total) = Suppression.Pairs([12, 20], [13, 30], 5);
        Assert.Equal("5 or more", parts[0].Numerator.Label);
        Assert.Equal("5 or more", parts[1].Numerator.Label); // else 12 would be 32 - 20
        Assert.Equal(32, total.Numerator.Value);
    }

    [Theory]
    [InlineData(5, false)] // exactly the threshold: shown
    [InlineData(4, true)]
    [InlineData(1, true)]
    [InlineData(0, false)] // zero reveals no one
    public void A_count_is_hidden_from_1_to_4_and_shown_at_exactly_5(int count, bool hidden)
    {
        var shown = Suppression.Alone(count, 5);
        Assert.Equal(hidden, shown.Suppressed);
        Assert.Equal(hidden ? "fewer than 5" : count.ToString(System.Globalization.CultureInfo.InvariantCulture), shown.Label);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_rate_whose_remainder_is_1_to_4_hides_the_numerator_as_5_or_more(int remainder)
    {
        var (parts, _) = Suppression.Pairs([20 - remainder, 10], [20, 30], 5);
        Assert.True(parts[0].Numerator.Protective, $"{20 - remainder} of 20");
        Assert.Equal("5 or more", parts[0].Numerator.Label);
        Assert.Null(Suppression.Rate(parts[0].Numerator, parts[0].Denominator));
    }

    [Fact]
    public void A_remainder_of_exactly_5_is_shown()
    {
        var (parts, total) = Suppression.Pairs([15, 10], [20, 30], 5);
        Assert.Equal([15, 10], parts.Select(p => p.Numerator.Value));
        Assert.Equal(25, total.Numerator.Value);
    }

    [Fact]
    public void A_part_with_no_one_in_it_shows_0_of_0_and_no_rate()
    {
        var (parts, total) = Suppression.Pairs([0, 10], [0, 30], 5);
        Assert.Equal(0, parts[0].Numerator.Value);
        Assert.Equal(0, parts[0].Denominator.Value);
        Assert.Null(Suppression.Rate(parts[0].Numerator, parts[0].Denominator));
        Assert.Equal(10, total.Numerator.Value);
    }

    [Fact]
    public void A_small_number_beside_a_hidden_5_cannot_be_worked_out_from_the_labels()
    {
        // 1 + 5 + 20 = 26. Hiding 1 ("fewer than 5") and 5 ("5 or more") would leave 6 to share:
        // the only way is 1 and 5, so the 20 is hidden too.
        var (parts, total) = Suppression.Breakdown([1, 5, 20], 5);
        Assert.Equal(["fewer than 5", "5 or more", "5 or more"], parts.Select(p => p.Label));
        Assert.Equal(26, total.Value);
    }

    [Fact]
    public void A_total_below_5_is_fewer_than_5_and_so_is_every_part()
    {
        var (parts, total) = Suppression.Breakdown([2, 0, 1], 5);
        Assert.Equal(["fewer than 5", "0", "fewer than 5"], parts.Select(p => p.Label));
        Assert.Equal("fewer than 5", total.Label);
        Assert.False(total.Protective);
    }

    /// <summary>
    /// Exhaustively for small tables: with the labels telling "fewer than 5" (1..4) from "5 or more",
    /// no hidden count is left with one possible value, and no hidden count of 5 or more is called small.
    /// </summary>
    [Fact]
    public void No_hidden_count_can_be_pinned_down_even_knowing_which_are_small()
    {
        var random = new Random(13);
        for (var trial = 0; trial < 20_000; trial++)
        {
            var counts = Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(0, 25)).ToArray();
            var threshold = random.Next(3, 8); // at 2, "fewer than 2" is 1 by its label alone
            var (parts, total) = Suppression.Breakdown(counts, threshold);
            foreach (var (p, c) in parts.Zip(counts))
            {
                Assert.True(p.Value == c || (p.Suppressed && (c >= threshold) == p.Protective), $"{c} shown as {p}");
            }

            if (total.Value is { } t)
            {
                var hidden = parts.Select(p => p.Suppressed).ToArray();
                var rest = t - parts.Where(p => !p.Suppressed).Sum(p => p.Value!.Value);
                // What the labels say: "fewer than T" is 1..T-1, "T or more" is T..rest.
                (int Low, int High) Range(int i) => counts[i] >= threshold ? (threshold, rest) : (1, threshold - 1);
                for (var i = 0; i < counts.Length; i++)
                {
                    if (!hidden[i])
                    {
                        continue;
                    }

                    // The others can add up to any whole number between the sums of their ends.
                    var others = Enumerable.Range(0, counts.Length).Where(j => j != i && hidden[j]).ToList();
                    var (low, high) = (others.Sum(j => Range(j).Low), others.Sum(j => Range(j).High));
                    var values = Enumerable.Range(Range(i).Low, Math.Max(0, Range(i).High - Range(i).Low + 1)).Count(v => rest - v >= low && rest - v <= high);
                    Assert.True(values > 1, $"{string.Join(",", counts)} at {threshold}: part {i} is pinned");
                }
            }
        }
    }
}
