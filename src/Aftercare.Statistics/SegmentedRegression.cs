using MathNet.Numerics.Distributions;

namespace Aftercare.Statistics;

/// <summary>Which count model a segmented regression used.</summary>
public enum CountModel
{
    Poisson,
    NegativeBinomial,
}

/// <summary>A rate ratio with its 95% Wald interval and p (from the log-scale estimate and its SE).</summary>
public sealed record RateRatio(double Estimate, double Lower, double Upper, double P);

/// <summary>
/// One month after the programme started: what was counted, what the model fits, and the counterfactual,
/// the fitted model with the level and slope changes set to 0 (the months before carried on), with its 95%
/// interval from the linear predictor's standard error.
/// </summary>
/// <param name="Month">Months from the start of the series (0 is its first month).</param>
public sealed record CounterfactualMonth(int Month, double Observed, double Fitted, double Expected, double Lower, double Upper);

/// <summary>A fitted interrupted time series. It describes a service's monthly counts, never any one person.</summary>
/// <param name="PoissonDispersion">Pearson χ²/df of the Poisson fit, which chose the model.</param>
/// <param name="LevelChange">Rate ratio of the step at the programme's start; null when it is not estimable.</param>
/// <param name="SlopeChange">Rate ratio per month of the change in trend after the start; null when not estimable.</param>
public sealed record SegmentedFit(
    CountModel Model,
    GlmFit Fit,
    GlmFit Poisson,
    double PoissonDispersion,
    RateRatio? LevelChange,
    RateRatio? SlopeChange,
    IReadOnlyList<CounterfactualMonth> Counterfactual);

/// <summary>
/// Segmented (interrupted time series) regression of monthly counts: log E[y] = β₀ + β₁·time + β₂·level
/// + β₃·slope + Σₖ (sₖ sin(2πk·m/12) + cₖ cos(2πk·m/12)) + offset, where time is months from the series'
/// start, level is 1 from the programme's first month on, slope is months since that month (0 before and
/// in it), m is the calendar month (1–12). The Poisson is fitted first; when its Pearson χ²/df exceeds
/// <see cref="OverdispersionThreshold"/> the counts vary more than a Poisson allows and the negative
/// binomial (<see cref="Glm.NegativeBinomial"/>) is used instead. That threshold is a rule of thumb, not a
/// test: the caller may choose the model.
/// </summary>
public static class SegmentedRegression
{
    /// <summary>Pearson χ²/df above which the Poisson is taken to be overdispersed (a rule of thumb).</summary>
    public const double OverdispersionThreshold = 1.5;

    public const string Intercept = "(Intercept)";
    public const string Time = "time";
    public const string Level = "level";
    public const string Slope = "slope";

    /// <summary>The design matrix, row-major, and its column names.</summary>
    /// <param name="months">Number of months in the series.</param>
    /// <param name="startMonth">Index (from 0) of the programme's first month; there must be months before and after.</param>
    /// <param name="harmonics">Fourier pairs for seasonality, 0 to 2 (sin1, cos1, sin2, cos2).</param>
    /// <param name="firstCalendarMonth">Calendar month (1 = January) of the series' first month.</param>
    public static (double[] Design, string[] Names) Design(int months, int startMonth, int harmonics = 1, int firstCalendarMonth = 1) =>
        Build(months, startMonth, harmonics, firstCalendarMonth, counterfactual: false);

    /// <param name="counts">One count per month, in order.</param>
    /// <param name="offset">Log person-time or log population per month, or empty.</param>
    /// <param name="model">The model to use; null chooses by the Poisson's dispersion.</param>
    public static SegmentedFit Fit(
        ReadOnlySpan<double> counts, int startMonth, ReadOnlySpan<double> offset = default, int harmonics = 1, int firstCalendarMonth = 1, CountModel? model = null)
    {
        var n = counts.Length;
        var (design, names) = Design(n, startMonth, harmonics, firstCalendarMonth);
        var poisson = Glm.Poisson(counts, design, names, offset);
        var dispersion = poisson.Dispersion;
        var chosen = model ?? (dispersion > OverdispersionThreshold ? CountModel.NegativeBinomial : CountModel.Poisson);
        var fit = chosen == CountModel.Poisson ? poisson : Glm.NegativeBinomial(counts, design, names, offset);

        var z = Normal.InvCDF(0, 1, 0.975);
        RateRatio? Ratio(string name) => fit[name] is { } c && double.IsFinite(c.StdErr)
            ? new RateRatio(Math.Exp(c.Estimate), Math.Exp(c.Estimate - (z * c.StdErr)), Math.Exp(c.Estimate + (z * c.StdErr)), c.P)
            : null;

        // The counterfactual rows: the same months with level and slope at 0.
        var (without, _) = Build(n, startMonth, harmonics, firstCalendarMonth, counterfactual: true);
        var p = names.Length;
        var estimated = fit.Coefficients.Select(c => Array.IndexOf(names, c.Name)).ToArray();
        var months = new List<CounterfactualMonth>();
        for (var t = startMonth; t < n; t++)
        {
            var row = without.AsSpan(t * p, p);
            var eta = offset.IsEmpty ? 0 : offset[t];
            for (var a = 0; a < estimated.Length; a++)
            {
                eta += row[estimated[a]] * fit.Coefficients[a].Estimate;
            }

            var variance = 0.0;
            for (var a = 0; a < estimated.Length; a++)
            {
                for (var b = 0; b < estimated.Length; b++)
                {
                    variance += row[estimated[a]] * fit.Covariance[a, b] * row[estimated[b]];
                }
            }

            var se = Math.Sqrt(Math.Max(0, variance));
            months.Add(new CounterfactualMonth(t, counts[t], fit.Fitted[t], Math.Exp(eta), Math.Exp(eta - (z * se)), Math.Exp(eta + (z * se))));
        }

        return new SegmentedFit(chosen, fit, poisson, dispersion, Ratio(Level), Ratio(Slope), months);
    }

    private static (double[] Design, string[] Names) Build(int months, int startMonth, int harmonics, int firstCalendarMonth, bool counterfactual)
    {
        if (startMonth < 1 || startMonth >= months)
        {
            throw new ArgumentOutOfRangeException(nameof(startMonth), "the programme must start after the series' first month and before its last.");
        }

        if (harmonics is < 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(harmonics), "seasonality takes 0, 1 or 2 Fourier pairs.");
        }

        if (firstCalendarMonth is < 1 or > 12)
        {
            throw new ArgumentOutOfRangeException(nameof(firstCalendarMonth), "a calendar month is 1 to 12.");
        }

        var names = new List<string> { Intercept, Time, Level, Slope };
        for (var k = 1; k <= harmonics; k++)
        {
            names.AddRange([$"sin{k}", $"cos{k}"]);
        }

        var p = names.Count;
        var design = new double[months * p];
        for (var t = 0; t < months; t++)
        {
            var calendar = ((firstCalendarMonth - 1 + t) % 12) + 1;
            var row = design.AsSpan(t * p, p);
            row[0] = 1;
            row[1] = t;
            row[2] = counterfactual || t < startMonth ? 0 : 1;
            row[3] = counterfactual ? 0 : Math.Max(0, t - startMonth);
            for (var k = 1; k <= harmonics; k++)
            {
                row[2 + (2 * k)] = Math.Sin(2 * Math.PI * k * calendar / 12);
                row[3 + (2 * k)] = Math.Cos(2 * Math.PI * k * calendar / 12);
            }
        }

        return (design, [.. names]);
    }
}
