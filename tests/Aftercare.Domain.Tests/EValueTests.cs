using Aftercare.Statistics;

namespace Aftercare.Domain.Tests;

/// <summary>Issue 15: E-values as VanderWeele &amp; Ding (2017) and the R package EValue compute them.</summary>
public sealed class EValueTests
{
    [Fact]
    public void The_published_example_gives_its_published_E_values()
    {
        // VanderWeele & Ding 2017, the breastfeeding example: RR 3.9 (95% CI 1.8 to 8.7) gives E-values 7.26 and 3.00.
        var e = EValue.OfHazardRatio(3.9, 1.8, 8.7, rare: true);
        Assert.Equal(3.9 + Math.Sqrt(3.9 * 2.9), e.Estimate, 1e-12);
        Assert.Equal(7.26, e.Estimate, 0.005);
        Assert.Equal(3.0, e.Interval, 1e-12);
    }

    [Fact]
    public void A_protective_common_outcome_is_turned_into_a_risk_ratio_first_and_an_interval_across_one_gives_one()
    {
        // The formula of EValue::evalues.HR(0.7, 0.55, 0.89, rare = FALSE) (that package is not in Debian, so
        // computed here by hand): RR = (1 - 0.5^sqrt(0.7)) / (1 - 0.5^sqrt(1/0.7)) = 0.78124;
        // E = 1/RR + sqrt(1/RR * (1/RR - 1)) = 1.87869; the upper limit 0.89 -> RR 0.92241, E 1.38609
        var e = EValue.OfHazardRatio(0.7, 0.55, 0.89, rare: false);
        var rr = (1 - Math.Pow(0.5, Math.Sqrt(0.7))) / (1 - Math.Pow(0.5, Math.Sqrt(1 / 0.7)));
        Assert.Equal(rr, e.RiskRatio, 1e-12);
        Assert.Equal(0.78124, e.RiskRatio, 5e-6);
        Assert.Equal(1.87869, e.Estimate, 5e-6);
        Assert.Equal(1.38609, e.Interval, 5e-6);
        Assert.Equal(1, EValue.OfHazardRatio(0.9, 0.7, 1.2, rare: false).Interval);
    }
}
