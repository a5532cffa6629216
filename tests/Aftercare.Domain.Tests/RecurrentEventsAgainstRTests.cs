using Aftercare.Statistics;

namespace Aftercare.Domain.Tests;

/// <summary>
/// Issue 15, all repeats and not only the first: the Andersen–Gill model on counting-process rows with
/// robust variance clustered by person agrees with R 4.2.2's survival 3.5.3 on a small hand-made data
/// set with tied times. The R code is beside the values; it starts with
///   library(survival); options(digits = 17)
///   start &lt;- c(0, 5, 0, 0, 3, 8, 0, 0, 2, 0, 4, 0, 6, 0, 0, 5, 9, 0)
///   stop  &lt;- c(5, 12, 7, 3, 8, 15, 10, 2, 9, 4, 11, 6, 14, 13, 5, 9, 12, 8)
///   event &lt;- c(1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1)
///   pid   &lt;- c(1, 1, 2, 3, 3, 3, 4, 5, 5, 6, 6, 7, 7, 8, 9, 9, 9, 10)
///   x1    &lt;- c(1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1)
///   x2    &lt;- c(0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0)
/// </summary>
public sealed class RecurrentEventsAgainstRTests
{
    private static readonly double[] Start = [0, 5, 0, 0, 3, 8, 0, 0, 2, 0, 4, 0, 6, 0, 0, 5, 9, 0];
    private static readonly double[] Stop = [5, 12, 7, 3, 8, 15, 10, 2, 9, 4, 11, 6, 14, 13, 5, 9, 12, 8];
    private static readonly bool[] Event = [.. new[] { 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1 }.Select(e => e == 1)];
    private static readonly int[] Pid = [1, 1, 2, 3, 3, 3, 4, 5, 5, 6, 6, 7, 7, 8, 9, 9, 9, 10];
    private static readonly double[] X1 = [1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1];
    private static readonly double[] X2 = [0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0];

    private static double[] Interleave(double[] a, double[] b) => [.. a.Zip(b, (x, y) => new[] { x, y }).SelectMany(r => r)];

    [Fact]
    public void Repeated_events_by_person_match_coxph_with_cluster_robust_and_model_based_errors()
    {
        var fit = CoxModel.FitCountingProcess(Start, Stop, Event, Interleave(X1, X2), ["x1", "x2"], Pid);

        // f <- coxph(Surv(start, stop, event) ~ x1 + x2 + cluster(pid), ties = "efron")
        // coef(f): -0.550017257141941 -0.655657167143844
        // sqrt(diag(f$var)) (robust): 0.374033992287555 0.590292847050943
        // sqrt(diag(f$naive.var)): 0.699170232440201 0.744896787377925
        // f$loglik: -22.7053150326176 -22.2441892341528; f$iter 3; f$wald.test (robust) 2.58102352158919; f$score 0.927018549494829
        Assert.True(fit.Converged);
        Assert.True(fit.Robust);
        Assert.Equal(10, fit.Clusters);
        Assert.Equal(18, fit.Count);
        Assert.Equal(11, fit.Events);
        Assert.Equal(3, fit.Iterations);
        Assert.Equal(-0.550017257141941, fit["x1"]!.Beta, 1e-9);
        Assert.Equal(-0.655657167143844, fit["x2"]!.Beta, 1e-9);
        Assert.Equal(0.374033992287555, fit["x1"]!.StdErr, 1e-9);
        Assert.Equal(0.590292847050943, fit["x2"]!.StdErr, 1e-9);
        Assert.Equal(0.699170232440201, fit["x1"]!.NaiveStdErr!.Value, 1e-9);
        Assert.Equal(0.744896787377925, fit["x2"]!.NaiveStdErr!.Value, 1e-9);
        Assert.Equal(-22.7053150326176, fit.LogLikelihoodNull, 1e-9);
        Assert.Equal(-22.2441892341528, fit.LogLikelihood, 1e-9);
        Assert.Equal(2.58102352158919, fit.WaldChiSquare, 1e-8);
        Assert.Equal(0.927018549494829, fit.ScoreChiSquare, 1e-9);
        // The interval and p are the robust ones, as summary(f) gives them.
        Assert.Equal(Math.Exp(-0.550017257141941 + (1.959963984540054 * 0.374033992287555)), fit["x1"]!.Upper, 1e-9);
        Assert.Null(fit.WhyNotEstimable("x1"));
    }

    [Fact]
    public void A_group_with_no_repeat_in_any_interval_is_not_estimable_as_R_warns_and_the_rest_is_fitted()
    {
        double[] x3 = [.. Pid.Select(p => p is 2 or 4 or 8 ? 1.0 : 0)];
        var fit = CoxModel.FitCountingProcess(Start, Stop, Event, Interleave(X1, x3), ["x1", "x3"], Pid);

        // g <- coxph(Surv(start, stop, event) ~ x1 + x3 + cluster(pid), ties = "efron")
        //   Warning: Loglik converged before variable  2 ; beta may be infinite.
        // coef(g): -0.407781796954956 -20.6254949532484; robust se 0.16017770285161 0.607983595886864
        Assert.Equal(NotEstimableTerm.Infinite, fit.WhyNotEstimable("x3"));
        Assert.Null(fit.WhyNotEstimable("x1"));
        Assert.Equal(-0.407781796954956, fit["x1"]!.Beta, 1e-6);
        Assert.Equal(0.16017770285161, fit["x1"]!.StdErr, 1e-6);
    }

    [Fact]
    public void Right_censored_rows_given_as_intervals_from_zero_give_the_ordinary_Cox_model()
    {
        var time = Stop[..10];
        var happened = Event[..10];
        var x = X1[..10];
        var plain = CoxModel.Fit(time, happened, x, ["x1"]);
        var counting = CoxModel.FitCountingProcess(new double[10], time, happened, x, ["x1"], [.. Enumerable.Range(0, 10)]);
        Assert.Equal(plain["x1"]!.Beta, counting["x1"]!.Beta, 1e-12);
        Assert.Equal(plain["x1"]!.StdErr, counting["x1"]!.NaiveStdErr!.Value, 1e-12);
        Assert.Equal(plain.LogLikelihood, counting.LogLikelihood, 1e-12);
    }
}
