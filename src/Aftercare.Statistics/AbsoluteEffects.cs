using MathNet.Numerics.Distributions;

namespace Aftercare.Statistics;

/// <summary>The restricted mean survival time: the mean time without the event over the first <see cref="Horizon"/> days.</summary>
/// <param name="StdErr">As R's <c>print(survfit(...), rmean = horizon)</c>: survmean's Greenwood-type variance.</param>
public sealed record RestrictedMean(double Horizon, double Mean, double StdErr);

/// <summary>A difference between two independent estimates, with its normal 95% interval and two-sided p.</summary>
public sealed record EstimateDifference(double Estimate, double StdErr, double Lower, double Upper, double P)
{
    public static EstimateDifference Of(double a, double stdErrA, double b, double stdErrB, double level = 0.95)
    {
        var estimate = a - b;
        var se = Math.Sqrt((stdErrA * stdErrA) + (stdErrB * stdErrB));
        var z = Normal.InvCDF(0, 1, 1 - ((1 - level) / 2));
        return new EstimateDifference(estimate, se, estimate - (z * se), estimate + (z * se), 2 * Normal.CDF(0, 1, -Math.Abs(estimate / se)));
    }
}

/// <summary>The risk of the event by a day in two groups, 1 − S(t) from each Kaplan–Meier curve, and their difference.</summary>
public sealed record RiskDifference(int Day, double RiskA, double RiskB, EstimateDifference Difference);

/// <summary>
/// Absolute effects from Kaplan–Meier curves, for readers whom hazard ratios mislead: the restricted
/// mean survival time (area under the curve up to a horizon, as R survival's <c>survmean</c>, which
/// <c>print(fit, rmean = τ)</c> and <c>summary(fit, rmean = τ)$table</c> use) and risks by a day with
/// Greenwood standard errors (R's <c>summary(fit, times)$std.err</c>).
/// </summary>
public static class AbsoluteEffects
{
    /// <summary>
    /// survmean: the rectangles under the step curve from 0 to τ (the last value carried to τ), and
    /// variance Σ A(tᵢ)² dᵢ / (nᵢ (nᵢ − dᵢ)) over event times tᵢ ≤ τ, A(tᵢ) the area from tᵢ to τ.
    /// </summary>
    public static RestrictedMean RestrictedMean(KaplanMeierCurve curve, double horizon)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var steps = curve.Steps.Where(s => s.Time <= horizon).ToList();
        var m = steps.Count;
        // rectangles[k]: from the previous time (0 first) to time k, at the survival before it; the last to τ.
        var rectangles = new double[m + 1];
        var previousTime = 0.0;
        var previousSurvival = 1.0;
        for (var k = 0; k < m; k++)
        {
            rectangles[k] = (steps[k].Time - previousTime) * previousSurvival;
            previousTime = steps[k].Time;
            previousSurvival = steps[k].Survival;
        }

        rectangles[m] = (horizon - previousTime) * previousSurvival;
        var mean = rectangles.Sum();
        var variance = 0.0;
        var area = 0.0;
        for (var k = m - 1; k >= 0; k--)
        {
            area += rectangles[k + 1];
            var s = steps[k];
            var h = s.AtRisk == s.Events ? 0 : s.Events / ((double)s.AtRisk * (s.AtRisk - s.Events));
            variance += area * area * h;
        }

        return new RestrictedMean(horizon, mean, Math.Sqrt(variance));
    }

    /// <summary>1 − S(day) in each group and the difference a − b; null when either curve ends before the day (nobody followed that long).</summary>
    public static RiskDifference? Risk(KaplanMeierCurve a, KaplanMeierCurve b, int day)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.At(day) is not { } sa || b.At(day) is not { } sb)
        {
            return null;
        }

        return new RiskDifference(day, 1 - sa.Survival, 1 - sb.Survival, EstimateDifference.Of(1 - sa.Survival, sa.StdErr, 1 - sb.Survival, sb.StdErr));
    }
}
