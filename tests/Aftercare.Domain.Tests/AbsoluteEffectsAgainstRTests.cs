using Aftercare.Statistics;

namespace Aftercare.Domain.Tests;

/// <summary>
/// Issue 15: restricted mean survival time and risk differences, checked against R 4.2.2 with survival
/// 3.5.3. The R code that produced each value is in the comment beside it.
///   i &lt;- 1:40
///   d &lt;- data.frame(time = ifelse(i %% 2 == 1, ifelse(i &lt;= 24, 1 + i %% 7, 60), 3 * (i / 2)),
///                   event = ifelse(i %% 2 == 1, as.integer(i &lt;= 24), as.integer(i %% 10 != 0)), engaged = i %% 2)
///   f &lt;- survfit(Surv(time, event) ~ engaged, data = d); options(digits = 15)
/// </summary>
public sealed class AbsoluteEffectsAgainstRTests
{
    private static (KaplanMeierCurve Engaged, KaplanMeierCurve NotEngaged) Curves()
    {
        var engaged = Enumerable.Range(1, 40).Where(i => i % 2 == 1).ToArray();
        var others = Enumerable.Range(1, 40).Where(i => i % 2 == 0).ToArray();
        return (KaplanMeier.Estimate([.. engaged.Select(i => i <= 24 ? 1.0 + (i % 7) : 60)], [.. engaged.Select(i => i <= 24)]),
            KaplanMeier.Estimate([.. others.Select(i => 3.0 * (i / 2))], [.. others.Select(i => i % 10 != 0)]));
    }

    [Fact]
    public void The_restricted_mean_and_its_difference_are_those_of_survfit_print_with_rmean()
    {
        var (engaged, notEngaged) = Curves();
        var a = AbsoluteEffects.RestrictedMean(engaged, 45);
        var b = AbsoluteEffects.RestrictedMean(notEngaged, 45);

        // t <- summary(f, rmean = 45)$table[, c("rmean", "se(rmean)")]
        //   engaged=0 30.94 3.30161071801830
        //   engaged=1 20.20 4.54015418240394
        Assert.Equal(20.20, a.Mean, 1e-9);
        Assert.Equal(4.54015418240394, a.StdErr, 1e-9);
        Assert.Equal(30.94, b.Mean, 1e-9);
        Assert.Equal(3.30161071801830, b.StdErr, 1e-9);

        // dif <- t[2, 1] - t[1, 1]; se <- sqrt(t[1, 2]^2 + t[2, 2]^2)
        // c(dif, se, dif - qnorm(0.975) * se, dif + qnorm(0.975) * se, 2 * pnorm(-abs(dif / se)))
        //   -10.74 5.6137005026393529 -21.7426508051675285 0.2626508051675298 0.0557254581532439
        var d = EstimateDifference.Of(a.Mean, a.StdErr, b.Mean, b.StdErr);
        Assert.Equal(-10.74, d.Estimate, 1e-9);
        Assert.Equal(5.6137005026393529, d.StdErr, 1e-9);
        Assert.Equal(-21.7426508051675285, d.Lower, 1e-9);
        Assert.Equal(0.2626508051675298, d.Upper, 1e-9);
        Assert.Equal(0.0557254581532439, d.P, 1e-9);
    }

    [Fact]
    public void Risk_differences_are_one_minus_survival_with_Greenwood_errors_as_summary_survfit_times()
    {
        var (engaged, notEngaged) = Curves();
        // s <- summary(f, times = c(5, 30, 45))
        // rd <- (1 - s$surv[s$strata == "engaged=1"]) - (1 - s$surv[s$strata == "engaged=0"])
        // rse <- sqrt(s$std.err[s$strata == "engaged=1"]^2 + s$std.err[s$strata == "engaged=0"]^2)
        // rbind(rd, rse, rd - qnorm(0.975) * rse, rd + qnorm(0.975) * rse)
        //   day 5:  0.400000000000000  0.121449578014911  0.161963201153187 0.638036798846813
        //   day 30: 0.186666666666667  0.156990209649920 -0.121028490172569 0.494361823505903
        //   day 45: -0.048000000000000 0.157520792278353 -0.356735079681787 0.260735079681787
        double[][] r = [[5, 0.4, 0.121449578014911, 0.161963201153187, 0.638036798846813],
            [30, 0.186666666666667, 0.156990209649920, -0.121028490172569, 0.494361823505903],
            [45, -0.048, 0.157520792278353, -0.356735079681787, 0.260735079681787]];
        foreach (var row in r)
        {
            var risk = AbsoluteEffects.Risk(engaged, notEngaged, (int)row[0])!;
            Assert.Equal(row[1], risk.Difference.Estimate, 1e-12);
            Assert.Equal(row[2], risk.Difference.StdErr, 1e-12);
            Assert.Equal(row[3], risk.Difference.Lower, 1e-12);
            Assert.Equal(row[4], risk.Difference.Upper, 1e-12);
        }

        // 1 - s$surv at day 30: engaged 0.6, not engaged 0.413333333333333
        Assert.Equal(0.6, AbsoluteEffects.Risk(engaged, notEngaged, 30)!.RiskA, 1e-12);
        // Nobody followed to day 61 (the longest follow-up is 60): no risk given (R: summary(f, times = 61) stops with an error; with extend = FALSE it gives no row beyond a curve).
        Assert.Null(AbsoluteEffects.Risk(engaged, notEngaged, 61));
    }
}
