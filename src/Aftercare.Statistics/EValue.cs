namespace Aftercare.Statistics;

/// <summary>
/// How strongly an unmeasured confounder would have to be associated with both engagement and the
/// outcome (as a risk ratio, beyond the measured ones) to explain the estimate away.
/// </summary>
/// <param name="Rare">True when the hazard ratio was read as a risk ratio (outcome in under 15% of people); otherwise the √HR transform.</param>
/// <param name="RiskRatio">The hazard ratio as a risk ratio.</param>
/// <param name="Estimate">The E-value of the estimate.</param>
/// <param name="Interval">The E-value of the confidence limit nearer 1; 1 when the interval includes 1.</param>
public sealed record EValueResult(bool Rare, double RiskRatio, double Estimate, double Interval);

/// <summary>
/// E-values (VanderWeele &amp; Ding, Ann Intern Med 2017): E = RR + √(RR (RR − 1)), RR taken as ≥ 1. A
/// hazard ratio is a risk ratio only for a rare outcome; for a common one (≥ 15% had it) it is first
/// turned into one as the R package EValue's <c>evalues.HR(rare = FALSE)</c> does (VanderWeele 2020):
/// RR = (1 − 0.5^√HR) / (1 − 0.5^√(1/HR)).
/// </summary>
public static class EValue
{
    /// <summary>The share of people with the event at or above which the outcome is common.</summary>
    public const double CommonFrom = 0.15;

    public static double OfRiskRatio(double rr)
    {
        var r = rr < 1 ? 1 / rr : rr;
        return r + Math.Sqrt(r * (r - 1));
    }

    public static double RiskRatio(double hazardRatio, bool rare) =>
        rare ? hazardRatio : (1 - Math.Pow(0.5, Math.Sqrt(hazardRatio))) / (1 - Math.Pow(0.5, Math.Sqrt(1 / hazardRatio)));

    public static EValueResult OfHazardRatio(double hazardRatio, double lower, double upper, bool rare)
    {
        var rr = RiskRatio(hazardRatio, rare);
        var nearer = hazardRatio >= 1 ? lower : upper;
        var interval = lower <= 1 && upper >= 1 ? 1 : OfRiskRatio(RiskRatio(nearer, rare));
        return new EValueResult(rare, rr, OfRiskRatio(rr), interval);
    }
}
