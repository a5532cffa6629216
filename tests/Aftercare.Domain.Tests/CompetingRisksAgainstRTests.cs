using Aftercare.Statistics;

namespace Aftercare.Domain.Tests;

/// <summary>
/// Issue 15, competing risks: the Aalen–Johansen cumulative incidence and the Fine–Gray model agree
/// with R 4.2.2's cmprsk 2.2 (Debian's r-cran-cmprsk) on small hand-made data sets. The R code that
/// produced each value is in the comment beside it; it starts with
///   library(cmprsk); options(digits = 17)
///   show &lt;- function(time, status, X) {
///     tp &lt;- timepoints(cuminc(time, status, cencode = 0), c(2, 5, 8, 30))
///     print(tp$est["1 1", ]); print(tp$var["1 1", ])
///     f &lt;- crr(time, status, cov1 = X, failcode = 1, cencode = 0)
///     cat(sprintf("%.15g", f$coef), sprintf("%.15g", sqrt(diag(f$var))), f$loglik, f$loglik.null, f$converged) }
/// </summary>
public sealed class CompetingRisksAgainstRTests
{
    private const double Tolerance = 1e-9;

    private static void Close(double expected, double actual, double tolerance = Tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    /// <summary>
    ///   time &lt;- c(1, 2, 2, 2, 3, 4, 4, 5, 5, 6, 7, 8, 8, 9, 10, 10, 11, 12)
    ///   status &lt;- c(1, 1, 2, 0, 2, 1, 0, 1, 2, 0, 1, 2, 2, 1, 0, 1, 2, 0)
    ///   x1 &lt;- c(0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0)
    ///   x2 &lt;- c(1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1)
    ///   show(time, status, cbind(x1, x2))
    /// </summary>
    [Fact]
    public void Ties_of_events_competing_events_and_censoring_at_one_time_match_cmprsk()
    {
        double[] time = [1, 2, 2, 2, 3, 4, 4, 5, 5, 6, 7, 8, 8, 9, 10, 10, 11, 12];
        int[] status = [1, 1, 2, 0, 2, 1, 0, 1, 2, 0, 1, 2, 2, 1, 0, 1, 2, 0];
        double[] x1 = [0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0];
        double[] x2 = [1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1];

        var cif = CompetingRisks.CumulativeIncidence(time, status);
        Assert.Equal(7, cif.Events);
        Assert.Equal(6, cif.CompetingEvents);
        // est: 0.11111111111111110 0.23556998556998557 0.30862193362193363 NA
        // var: 0.0058204109530522446 0.0115605627515862636 0.0147921270770597878 NA
        Close(0.11111111111111110, cif.At(2)!.Estimate);
        Close(0.23556998556998557, cif.At(5)!.Estimate);
        Close(0.30862193362193363, cif.At(8)!.Estimate);
        Close(0.0058204109530522446, cif.At(2)!.Variance);
        Close(0.0115605627515862636, cif.At(5)!.Variance);
        Close(0.0147921270770597878, cif.At(8)!.Variance);
        Assert.Null(cif.At(30));

        var fit = CompetingRisks.FineGray(time, status, Interleave(x1, x2), ["x1", "x2"]);
        Assert.True(fit.Converged);
        // coef -0.965922382251836 -0.606574281459246; se 0.769503817238238 0.809392744987642
        // loglik -16.7141541242938, loglik.null -17.7134038519456
        Close(-0.965922382251836, fit["x1"]!.Beta, 1e-7);
        Close(-0.606574281459246, fit["x2"]!.Beta, 1e-7);
        Close(0.769503817238238, fit["x1"]!.StdErr, 1e-7);
        Close(0.809392744987642, fit["x2"]!.StdErr, 1e-7);
        Close(-16.7141541242938, fit.LogLikelihood, 1e-7);
        Close(-17.7134038519456, fit.LogLikelihoodNull, 1e-7);
        Assert.Null(fit.WhyNotEstimable("x1"));
    }

    /// <summary>
    ///   time &lt;- c(1, 1, 2, 3, 3, 4, 5, 6, 7, 9, 12, 15, 20, 25)
    ///   status &lt;- c(1, 2, 1, 2, 1, 0, 1, 2, 1, 0, 0, 0, 0, 0)
    ///   x1 &lt;- c(1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1)
    ///   show(time, status, cbind(x1)); timepoints(cuminc(time, status), c(20, 25))
    /// </summary>
    [Fact]
    public void A_tail_of_censored_follow_up_keeps_the_last_incidence_until_the_last_follow_up_and_none_after()
    {
        double[] time = [1, 1, 2, 3, 3, 4, 5, 6, 7, 9, 12, 15, 20, 25];
        int[] status = [1, 2, 1, 2, 1, 0, 1, 2, 1, 0, 0, 0, 0, 0];
        double[] x1 = [1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1];

        var cif = CompetingRisks.CumulativeIncidence(time, status);
        // est: 0.14285714285714285 0.29464285714285710 0.37499999999999994 NA; at 20 and 25: 0.37499999999999994
        // var: 0.0094246031746031758 0.0169011781925235659 0.0198701388189713862 NA; at 20 and 25: 0.019870138818971386
        Close(0.14285714285714285, cif.At(2)!.Estimate);
        Close(0.29464285714285710, cif.At(5)!.Estimate);
        Close(0.37499999999999994, cif.At(8)!.Estimate);
        Close(0.37499999999999994, cif.At(25)!.Estimate);
        Close(0.0094246031746031758, cif.At(2)!.Variance);
        Close(0.0169011781925235659, cif.At(5)!.Variance);
        Close(0.019870138818971386, cif.At(20)!.Variance);
        Close(0.019870138818971386, cif.At(25)!.Variance);
        Assert.Null(cif.At(26));
        Assert.Null(cif.At(30));

        var fit = CompetingRisks.FineGray(time, status, x1, ["x1"]);
        // coef 0.712866441828932; se 0.830036691328243; loglik -11.8317736870391, null -12.1412488491376
        Assert.True(fit.Converged);
        Close(0.712866441828932, fit["x1"]!.Beta, 1e-7);
        Close(0.830036691328243, fit["x1"]!.StdErr, 1e-7);
        Close(-11.8317736870391, fit.LogLikelihood, 1e-7);
        Close(-12.1412488491376, fit.LogLikelihoodNull, 1e-7);
    }

    /// <summary>
    ///   time &lt;- c(1, 2, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10)
    ///   status &lt;- c(1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0)
    ///   x1 &lt;- c(1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1)
    ///   show(time, status, cbind(x1))
    ///   1 - summary(survfit(Surv(time, status == 1) ~ 1), times = c(2, 5, 8))$surv
    ///     # 0.16666666666666674 0.36507936507936523 0.71781305114638461
    /// </summary>
    [Fact]
    public void Without_competing_events_the_cumulative_incidence_is_one_minus_Kaplan_Meier()
    {
        double[] time = [1, 2, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10];
        int[] status = [1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0];
        double[] x1 = [1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1];

        var cif = CompetingRisks.CumulativeIncidence(time, status);
        Assert.Equal(0, cif.CompetingEvents);
        var km = KaplanMeier.Estimate(time, [.. status.Select(s => s == 1)]);
        foreach (var day in new[] { 2, 5, 8 })
        {
            Close(1 - km.At(day)!.Survival, cif.At(day)!.Estimate, 1e-12);
        }

        // est: 0.16666666666666666 0.36507936507936506 0.71781305114638450
        // var: 0.012683654729109269 0.024859557808090758 0.032780845873560227
        Close(0.16666666666666666, cif.At(2)!.Estimate);
        Close(0.71781305114638450, cif.At(8)!.Estimate);
        Close(0.012683654729109269, cif.At(2)!.Variance);
        Close(0.024859557808090758, cif.At(5)!.Variance);
        Close(0.032780845873560227, cif.At(8)!.Variance);

        var fit = CompetingRisks.FineGray(time, status, x1, ["x1"]);
        // coef 0.488371963756064; se 0.677997256013814; loglik -13.5035744664817, null -13.7080678761021
        Assert.True(fit.Converged);
        Close(0.488371963756064, fit["x1"]!.Beta, 1e-7);
        Close(0.677997256013814, fit["x1"]!.StdErr, 1e-7);
        Close(-13.5035744664817, fit.LogLikelihood, 1e-7);
    }

    /// <summary>
    /// A sparse level with no events of the cause (three people: one competing event, two censored):
    ///   time &lt;- c(1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20)
    ///   status &lt;- c(1, 2, 1, 0, 1, 2, 1, 0, 2, 1, 0, 1, 2, 0, 1, 2, 0, 1, 0, 0)
    ///   x1 &lt;- c(1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0)
    ///   x2 &lt;- c(0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0)
    ///   f &lt;- crr(time, status, cov1 = cbind(x1, x2), failcode = 1, cencode = 0)
    /// </summary>
    [Fact]
    public void A_level_with_no_events_of_the_cause_runs_to_infinity_in_crr_and_is_not_estimable_with_the_reason_and_the_rest_is_refitted()
    {
        double[] time = [1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20];
        int[] status = [1, 2, 1, 0, 1, 2, 1, 0, 2, 1, 0, 1, 2, 0, 1, 2, 0, 1, 0, 0];
        double[] x1 = [1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0];
        double[] x2 = [0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];

        // crr prints a number for it with confidence: coef 0.214756168057488 -10.1048725966309, se 0.663530779482699
        // 0.802860226453539 (so exp(coef) 4.1e-5, 95% CI 8.5e-6 to 2.0e-4), loglik -19.4902785472134, converged FALSE
        // after its 10 iterations; abs(solve(f$inf, f$score)): 4.2e-12 1.0000055 (the next step would move it by 1 again).
        var fit = CompetingRisks.FineGray(time, status, Interleave(x1, x2), ["x1", "x2"]);
        Assert.Equal(NotEstimableTerm.Infinite, fit.WhyNotEstimable("x2"));
        Assert.Null(fit["x2"]);

        // The rest refitted without it, as crr(time, status, cov1 = cbind(x1)) gives it:
        // coef 0.503259781217203, se 0.679847360431034, loglik -20.3563463381286, loglik.null -20.597896722634, converged TRUE
        Assert.True(fit.Converged);
        Assert.Null(fit.WhyNotEstimable("x1"));
        Close(0.503259781217203, fit["x1"]!.Beta, 1e-7);
        Close(0.679847360431034, fit["x1"]!.StdErr, 1e-7);
        Close(-20.3563463381286, fit.LogLikelihood, 1e-7);
        Close(-20.597896722634, fit.LogLikelihoodNull, 1e-7);
    }

    [Fact]
    public void A_term_that_does_not_vary_or_rows_without_events_are_not_estimable_and_say_why()
    {
        double[] time = [1, 2, 3, 4, 5, 6];
        var constant = CompetingRisks.FineGray(time, [1, 2, 1, 0, 1, 2], [1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1], ["x", "same"]);
        Assert.Equal(NotEstimableTerm.DoesNotVary, constant.WhyNotEstimable("same"));
        Assert.NotNull(constant["x"]);

        var none = CompetingRisks.FineGray(time, [0, 2, 0, 2, 0, 0], [1, 0, 1, 0, 1, 0], ["x"]);
        Assert.Equal(NotEstimableTerm.NoEvents, none.WhyNotEstimable("x"));
    }

    private static double[] Interleave(double[] a, double[] b) => [.. a.Zip(b, (x, y) => new[] { x, y }).SelectMany(r => r)];
}
