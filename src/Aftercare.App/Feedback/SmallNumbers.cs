namespace Aftercare.App.Feedback;

/// <summary>
/// A count as it may be shown: the number, or only that it is below the threshold. A suppressed
/// count carries no number at all, so no screen, export or caller can leak it.
/// </summary>
public readonly record struct ShownCount(int? Value, int Threshold)
{
    public bool Suppressed => Value is null;

    public override string ToString() => Value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"fewer than {Threshold}";
}

/// <summary>
/// Small-number suppression (DOMAIN.md, "Measures services report"): a count from 1 to
/// threshold − 1 is shown as "fewer than N". Zero is shown: it describes no one.
/// </summary>
public static class SmallNumbers
{
    public const int DefaultThreshold = 5;

    public static bool IsSmall(int count, int threshold) => count > 0 && count < threshold;

    /// <summary>
    /// A row of counts that add up to a total that is shown: each small count is suppressed and,
    /// when only one is, the smallest other non-zero count too, or the total minus the others
    /// would give the small one back (secondary suppression).
    /// </summary>
    public static IReadOnlyList<ShownCount> Row(IReadOnlyList<int> counts, int threshold)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var hidden = counts.Select(c => IsSmall(c, threshold)).ToArray();
        if (hidden.Count(h => h) == 1)
        {
            var other = Enumerable.Range(0, counts.Count).Where(i => !hidden[i] && counts[i] > 0).OrderBy(i => counts[i]).FirstOrDefault(-1);
            if (other >= 0)
            {
                hidden[other] = true;
            }
        }

        return [.. counts.Select((c, i) => new ShownCount(hidden[i] ? null : c, threshold))];
    }

    public static ShownCount One(int count, int threshold) => new(IsSmall(count, threshold) ? null : count, threshold);
}
