namespace Aftercare.Domain.Measures;

/// <summary>A count as it may be shown: the number, or "fewer than N" when it is too small to show safely.</summary>
public readonly record struct Shown(int? Value, int Threshold)
{
    public bool Suppressed => Value is null;

    public override string ToString() => Value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"fewer than {Threshold}";

    /// <summary>For CSV: the number, or the conventional "&lt;N".</summary>
    public string ForCsv() => Value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"<{Threshold}";
}

/// <summary>
/// Small-number suppression for published counts (issue #7). A count from 1 to threshold − 1 is
/// never shown. Nor is any count from which it could be worked out: in a breakdown that sums to a
/// shown total, a single hidden cell would be total minus the others, so a second cell is hidden
/// too (the smallest other non-zero one); a total below the threshold hides the whole breakdown.
/// Zero is shown: it reveals no one.
/// </summary>
public static class Suppression
{
    public const int DefaultThreshold = 5;

    public static bool TooSmall(int count, int threshold) => count > 0 && count < threshold;

    /// <summary>One count on its own (no breakdown that could reveal it).</summary>
    public static Shown Alone(int count, int threshold) => new(TooSmall(count, threshold) ? null : count, threshold);

    /// <summary>A breakdown of a total into parts (months, sites, bands): the parts and the total as they may be shown.</summary>
    public static (IReadOnlyList<Shown> Parts, Shown Total) Breakdown(IReadOnlyList<int> parts, int threshold)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (threshold < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), "The threshold is at least 1.");
        }

        var total = parts.Sum();
        if (TooSmall(total, threshold))
        {
            return ([.. parts.Select(p => new Shown(p == 0 ? 0 : null, threshold))], new Shown(null, threshold));
        }

        var hidden = parts.Select(p => TooSmall(p, threshold)).ToArray();
        // A single hidden part next to a shown total could be worked out: hide the next smallest as well.
        if (hidden.Count(h => h) == 1)
        {
            var next = Enumerable.Range(0, parts.Count).Where(i => !hidden[i] && parts[i] > 0).OrderBy(i => parts[i]).Cast<int?>().FirstOrDefault();
            if (next is { } i)
            {
                hidden[i] = true;
            }
            else
            {
                // Nothing else to hide: the total itself would give it away.
                return ([.. parts.Select((p, j) => new Shown(hidden[j] ? null : p, threshold))], new Shown(null, threshold));
            }
        }

        return ([.. parts.Select((p, j) => new Shown(hidden[j] ? null : p, threshold))], new Shown(total, threshold));
    }

    /// <summary>
    /// Numerators over denominators across a breakdown (people reached of people enrolled, per
    /// month). The denominators are a breakdown of their own. A numerator is hidden when it is
    /// small, when the rest of its denominator is (38 of 40 would reveal the 2 who were not), or when
    /// its denominator is hidden; and a single hidden numerator beside a shown total hides another.
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

        var (d, dTotal) = Breakdown(denominators, threshold);
        var n = numerators.ToArray();
        var hidden = n.Select((x, i) => TooSmall(x, threshold) || TooSmall(denominators[i] - x, threshold) || d[i].Suppressed).ToArray();
        var total = n.Sum();
        var totalHidden = dTotal.Suppressed || TooSmall(total, threshold) || TooSmall(denominators.Sum() - total, threshold);
        if (!totalHidden && hidden.Count(h => h) == 1)
        {
            var next = Enumerable.Range(0, n.Length).Where(i => !hidden[i] && n[i] > 0).OrderBy(i => n[i]).Cast<int?>().FirstOrDefault();
            if (next is { } i)
            {
                hidden[i] = true;
            }
            else
            {
                totalHidden = true;
            }
        }

        return ([.. n.Select((x, i) => (new Shown(hidden[i] ? null : x, threshold), d[i]))], (new Shown(totalHidden ? null : total, threshold), dTotal));
    }

    /// <summary>A proportion shown only when both its counts are: a percentage of a hidden count could reveal it.</summary>
    public static double? Rate(Shown numerator, Shown denominator) =>
        numerator.Value is { } n && denominator.Value is { } d && d > 0 ? 100.0 * n / d : null;
}
