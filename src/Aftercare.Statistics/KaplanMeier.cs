namespace Aftercare.Statistics;

/// <summary>How the 95% band around a survival curve is drawn.</summary>
public enum ConfidenceBand
{
    /// <summary>On log S(t), as R's survfit does by default (conf.type = "log"); the upper limit is capped at 1.</summary>
    Log,

    /// <summary>On log(−log S(t)) (conf.type = "log-log"): never leaves [0, 1].</summary>
    LogLog,
}

/// <summary>One step of a Kaplan–Meier curve, at a time when at least one event happened.</summary>
/// <param name="StdErr">Greenwood standard error of S(t) itself (R's "std.err"); NaN once S(t) reaches 0.</param>
public sealed record KaplanMeierStep(double Time, int AtRisk, int Events, double Survival, double StdErr, double Lower, double Upper);

/// <summary>A Kaplan–Meier curve: S(t) is 1 before the first step and stays at a step's value until the next.</summary>
public sealed record KaplanMeierCurve(int Count, int Events, IReadOnlyList<KaplanMeierStep> Steps, ConfidenceBand Band)
{
    /// <summary>The first time S(t) is at or below one half; null when it never is.</summary>
    public double? Median => Steps.FirstOrDefault(s => s.Survival <= 0.5)?.Time;
}

/// <summary>
/// Kaplan–Meier product-limit estimate with Greenwood's variance. Written here because no package
/// served to this project (Math.NET included) estimates survival curves.
/// </summary>
public static class KaplanMeier
{
    public static KaplanMeierCurve Estimate(ReadOnlySpan<double> time, ReadOnlySpan<bool> happened, ConfidenceBand band = ConfidenceBand.Log, double level = 0.95)
    {
        if (time.Length != happened.Length)
        {
            throw new ArgumentException("time and event arrays differ in length.", nameof(happened));
        }

        var order = SortedOrder(time);
        return FromSorted(time, happened, order, band, level);
    }

    /// <summary>The same estimate from rows already sorted by time (<paramref name="order"/> indexes into the arrays).</summary>
    public static KaplanMeierCurve FromSorted(ReadOnlySpan<double> time, ReadOnlySpan<bool> happened, ReadOnlySpan<int> order, ConfidenceBand band = ConfidenceBand.Log, double level = 0.95)
    {
        var z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 1 - ((1 - level) / 2));
        var steps = new List<KaplanMeierStep>();
        var atRisk = order.Length;
        var survival = 1.0;
        var greenwood = 0.0;
        var totalEvents = 0;
        var i = 0;
        while (i < order.Length)
        {
            var t = time[order[i]];
            int events = 0, leaving = 0;
            while (i < order.Length && time[order[i]] == t)
            {
                events += happened[order[i]] ? 1 : 0;
                leaving++;
                i++;
            }

            if (events > 0)
            {
                survival *= 1 - ((double)events / atRisk);
                greenwood = atRisk == events ? double.PositiveInfinity : greenwood + (events / ((double)atRisk * (atRisk - events)));
                var (lower, upper) = Band(survival, greenwood, z, band);
                var stdErr = double.IsInfinity(greenwood) ? double.NaN : survival * Math.Sqrt(greenwood);
                steps.Add(new KaplanMeierStep(t, atRisk, events, survival, stdErr, lower, upper));
                totalEvents += events;
            }

            atRisk -= leaving;
        }

        return new KaplanMeierCurve(order.Length, totalEvents, steps, band);
    }

    private static (double Lower, double Upper) Band(double survival, double greenwood, double z, ConfidenceBand band)
    {
        if (survival <= 0 || double.IsInfinity(greenwood))
        {
            return (double.NaN, double.NaN);
        }

        var seLog = Math.Sqrt(greenwood);
        if (band == ConfidenceBand.Log)
        {
            return (survival * Math.Exp(-z * seLog), Math.Min(1, survival * Math.Exp(z * seLog)));
        }

        if (survival >= 1)
        {
            return (double.NaN, double.NaN);
        }

        // log(−log S) has standard error seLog / |log S| (delta method), as in R's survfit.
        var logMinusLog = Math.Log(-Math.Log(survival));
        var se = seLog / Math.Abs(Math.Log(survival));
        return (Math.Exp(-Math.Exp(logMinusLog + (z * se))), Math.Exp(-Math.Exp(logMinusLog - (z * se))));
    }

    /// <summary>Row indexes in ascending order of time (stable, so ties keep their input order).</summary>
    public static int[] SortedOrder(ReadOnlySpan<double> time)
    {
        var keys = time.ToArray();
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(keys, order);
        return order;
    }
}
