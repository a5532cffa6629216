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
/// <param name="LastTime">The longest anyone was followed (event or censoring): S(t) is not known beyond it.</param>
public sealed record KaplanMeierCurve(int Count, int Events, IReadOnlyList<KaplanMeierStep> Steps, ConfidenceBand Band, double LastTime)
{
    /// <summary>R's quantile.survfit tolerance, √ε on 1 − S(t).</summary>
    private static readonly double Tolerance = Math.Sqrt(2.220446049250313e-16);

    /// <summary>Each row's time, ascending: the number at risk at t is how many are at or after it.</summary>
    private double[] _times = [];

    internal KaplanMeierCurve WithTimes(double[] sortedTimes)
    {
        _times = sortedTimes;
        return this;
    }

    /// <summary>
    /// The median as R's survfit prints it: the first time S(t) is at or below one half, except that
    /// where S(t) is exactly one half over an interval, the middle of it (to the next step, or to
    /// <see cref="LastTime"/> when the curve ends there). Null when S(t) never reaches one half.
    /// </summary>
    public double? Median
    {
        get
        {
            var at = -1;
            for (var i = 0; i < Steps.Count && at < 0; i++)
            {
                at = Steps[i].Survival <= 0.5 + Tolerance ? i : -1;
            }

            if (at < 0)
            {
                return null;
            }

            if (Math.Abs(Steps[at].Survival - 0.5) >= Tolerance)
            {
                return Steps[at].Time;
            }

            return (Steps[at].Time + (at + 1 < Steps.Count ? Steps[at + 1].Time : LastTime)) / 2;
        }
    }

    /// <summary>How many were still in follow-up (time ≥ t) at time t.</summary>
    public int AtRisk(double t)
    {
        var index = Array.BinarySearch(_times, t);
        if (index < 0)
        {
            return _times.Length - ~index;
        }

        while (index > 0 && _times[index - 1] == t)
        {
            index--;
        }

        return _times.Length - index;
    }

    /// <summary>
    /// S(t) with its band: the last step at or before t. Null beyond <see cref="LastTime"/>, where
    /// nobody was followed and R's summary(…, times) gives nothing either.
    /// </summary>
    public KaplanMeierStep? At(double t)
    {
        if (t > LastTime)
        {
            return null;
        }

        var step = Steps.LastOrDefault(s => s.Time <= t);
        return step ?? new KaplanMeierStep(t, AtRisk(t), 0, 1, 0, 1, 1);
    }
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

        var sorted = new double[order.Length];
        for (var k = 0; k < order.Length; k++)
        {
            sorted[k] = time[order[k]];
        }

        return new KaplanMeierCurve(order.Length, totalEvents, steps, band, sorted.Length == 0 ? 0 : sorted[^1]).WithTimes(sorted);
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
