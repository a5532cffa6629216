using System.Globalization;

namespace Aftercare.Domain.Measures;

/// <summary>Why a count is not shown.</summary>
public enum Hidden
{
    /// <summary>It is shown.</summary>
    No,

    /// <summary>It is from 1 to the threshold − 1 (or it belongs to a group that small): "fewer than 5".</summary>
    Small,

    /// <summary>
    /// It is the threshold or more, hidden only so that a small number next to it cannot be worked
    /// out by subtraction (complementary suppression): "5 or more; not shown, so that a small number
    /// cannot be worked out". Never labelled as small.
    /// </summary>
    Protects,
}

/// <summary>A count as it may be shown: the number, or why it is not shown.</summary>
public readonly record struct Shown(int? Value, int Threshold, Hidden Why = Hidden.Small)
{
    public bool Suppressed => Value is null;

    /// <summary>Hidden only to protect a small number elsewhere: the count itself is the threshold or more.</summary>
    public bool Protective => Value is null && Why == Hidden.Protects;

    /// <summary>The words in a table cell: the number, "fewer than 5", or "5 or more".</summary>
    public string Label => Value is { } v ? v.ToString(CultureInfo.InvariantCulture) : Protective ? $"{Threshold} or more" : $"fewer than {Threshold}";

    /// <summary>Why it is not shown, in words a manager understands; empty when it is shown.</summary>
    public string Reason => Value is not null ? ""
        : Protective ? $"not shown, so that a small number cannot be worked out from it"
        : $"between 1 and {Threshold - 1}, not shown so that no one can be recognised";

    public override string ToString() => Protective ? $"{Label}; {Reason}" : Label;

    /// <summary>For CSV: the number, "&lt;5" when small, "&gt;=5" when hidden to protect a small number.</summary>
    public string ForCsv() => Value is { } v ? v.ToString(CultureInfo.InvariantCulture) : Protective ? $">={Threshold}" : $"<{Threshold}";

    public static Shown Of(int count, int threshold) => new(count, threshold, Hidden.No);

    /// <summary>A count that is not shown, labelled by what it is: small below the threshold, "or more" at or above it.</summary>
    public static Shown HiddenCount(int count, int threshold) => new(null, threshold, count >= threshold ? Hidden.Protects : Hidden.Small);
}

/// <summary>
/// Small-number suppression for published counts (issue #7, issue 11). A count from 1 to threshold − 1 is
/// never shown ("fewer than 5"). Nor is any count from which it could be worked out: in a breakdown
/// that sums to a shown total, a single hidden cell would be total minus the others, so another
/// cell is hidden too (the smallest other non-zero one), and it is labelled for what it is: "5 or
/// more; not shown, so that a small number cannot be worked out". Because the labels say which
/// hidden counts are small and which are not, the cells keep being hidden until no hidden count can
/// be pinned to one value from the labels, the shown cells and the total; if nothing is left to
/// hide, the total is hidden. A total below the threshold hides the whole breakdown. Zero is
/// shown: it reveals no one. Every published count (the dashboard, its CSV and charts, the
/// experience results and the programme evaluation page) goes through here.
/// </summary>
public static class Suppression
{
    public const int DefaultThreshold = 5;

    public static bool TooSmall(int count, int threshold) => count > 0 && count < threshold;

    /// <summary>One count on its own (no breakdown that could reveal it).</summary>
    public static Shown Alone(int count, int threshold) => TooSmall(count, threshold) ? Shown.HiddenCount(count, threshold) : Shown.Of(count, threshold);

    /// <summary>A breakdown of a total into parts (months, sites, bands): the parts and the total as they may be shown.</summary>
    public static (IReadOnlyList<Shown> Parts, Shown Total) Breakdown(IReadOnlyList<int> parts, int threshold)
    {
        ArgumentNullException.ThrowIfNull(parts);
        CheckThreshold(threshold);
        if (parts.Any(p => p < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(parts), "A count is never negative.");
        }

        var total = parts.Sum();
        if (TooSmall(total, threshold))
        {
            // Every part is smaller still.
            return ([.. parts.Select(p => p == 0 ? Shown.Of(0, threshold) : Shown.HiddenCount(p, threshold))], Shown.HiddenCount(total, threshold));
        }

        var hidden = parts.Select(p => TooSmall(p, threshold)).ToArray();
        var upper = parts.Select(_ => int.MaxValue).ToArray();
        var totalHidden = Protect([.. parts], hidden, upper, total, threshold);
        return ([.. parts.Select((p, j) => hidden[j] ? Shown.HiddenCount(p, threshold) : Shown.Of(p, threshold))],
            totalHidden ? Shown.HiddenCount(total, threshold) : Shown.Of(total, threshold));
    }

    /// <summary>
    /// Numerators over denominators across a breakdown (people reached of people enrolled, per
    /// month). The denominators are a breakdown of their own. A numerator is hidden when it is
    /// small, when the rest of its denominator is (38 of 40 would reveal the 2 who were not), or when
    /// its denominator is hidden; and more are hidden while one could be worked out from the total.
    /// </summary>
    public static (IReadOnlyList<(Shown Numerator, Shown Denominator)> Parts, (Shown Numerator, Shown Denominator) Total) Pairs(
        IReadOnlyList<int> numerators, IReadOnlyList<int> denominators, int threshold)
    {
        ArgumentNullException.ThrowIfNull(numerators);
        ArgumentNullException.ThrowIfNull(denominators);
        if (numerators.Count != denominators.Count)
        {
            throw new ArgumentException("Each numerator needs its denominator.", nameof(denominators));
        }

        if (numerators.Where((x, i) => x < 0 || x > denominators[i]).Any())
        {
            throw new ArgumentOutOfRangeException(nameof(numerators), "A numerator is from 0 to its denominator.");
        }

        var (d, dTotal) = Breakdown(denominators, threshold);
        var n = numerators.ToArray();
        var hidden = n.Select((x, i) => TooSmall(x, threshold) || TooSmall(denominators[i] - x, threshold) || d[i].Suppressed).ToArray();
        var total = n.Sum();
        var totalHidden = dTotal.Suppressed || TooSmall(total, threshold) || TooSmall(denominators.Sum() - total, threshold);
        if (!totalHidden)
        {
            // A numerator can be no more than its denominator, when that is shown.
            var upper = d.Select(x => x.Value ?? int.MaxValue).ToArray();
            totalHidden = Protect(n, hidden, upper, total, threshold);
        }

        return ([.. n.Select((x, i) => (hidden[i] ? Shown.HiddenCount(x, threshold) : Shown.Of(x, threshold), d[i]))],
            (totalHidden ? Shown.HiddenCount(total, threshold) : Shown.Of(total, threshold), dTotal));
    }

    /// <summary>A proportion shown only when both its counts are: a percentage of a hidden count could reveal it.</summary>
    public static double? Rate(Shown numerator, Shown denominator) =>
        numerator.Value is { } n && denominator.Value is { } d && d > 0 ? 100.0 * n / d : null;

    /// <summary>
    /// Hides more parts (the smallest shown non-zero one each time) while a hidden part could be
    /// pinned to one value; true when even that is not enough and the total must be hidden too.
    /// </summary>
    private static bool Protect(int[] counts, bool[] hidden, int[] upper, int total, int threshold)
    {
        while (CanBeWorkedOut(counts, hidden, upper, total, threshold))
        {
            var next = Enumerable.Range(0, counts.Length).Where(i => !hidden[i] && counts[i] > 0).OrderBy(i => counts[i]).Cast<int?>().FirstOrDefault();
            if (next is not { } i)
            {
                return true;
            }

            hidden[i] = true;
        }

        return false;
    }

    /// <summary>
    /// What a reader knows of each hidden count: from its label, the range 1 to threshold − 1
    /// ("fewer than 5") or threshold and up ("5 or more"), capped by its shown denominator; and
    /// that the hidden counts add up to the total less the shown ones. True when that leaves any
    /// hidden count only one possible value.
    /// </summary>
    public static bool CanBeWorkedOut(IReadOnlyList<int> counts, IReadOnlyList<bool> hidden, IReadOnlyList<int> upper, int total, int threshold)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(upper);
        var cells = Enumerable.Range(0, counts.Count).Where(i => hidden[i]).Select(i => counts[i] >= threshold
            ? (Low: (long)threshold, High: (long)upper[i])
            : (Low: Math.Min(counts[i], 1L), High: Math.Min(threshold - 1L, upper[i]))).ToList();
        if (cells.Count == 0)
        {
            return false;
        }

        long rest = total - Enumerable.Range(0, counts.Count).Where(i => !hidden[i]).Sum(i => (long)counts[i]);
        long lows = cells.Sum(c => c.Low);
        long highs = cells.Sum(c => Math.Min(c.High, rest));
        return cells.Any(c =>
        {
            var high = Math.Min(c.High, rest);
            var low = Math.Max(c.Low, rest - (highs - high));
            return Math.Min(high, rest - (lows - c.Low)) <= low;
        });
    }

    private static void CheckThreshold(int threshold)
    {
        if (threshold < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), "The threshold is at least 1.");
        }
    }
}
