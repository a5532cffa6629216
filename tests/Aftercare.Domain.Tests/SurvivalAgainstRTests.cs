using Aftercare.Statistics;

namespace Aftercare.Domain.Tests;

/// <summary>
/// Issue 15's wrong numbers, each reproduced and checked against R 4.2.2 with survival 3.5.3 (Debian's
/// r-base-core and r-cran-survival). The R code that produced each value is in the comment beside it;
/// the data are built the same way on both sides.
/// </summary>
public sealed class SurvivalAgainstRTests
{
    private static readonly string[] Names = ["engaged", "bandb", "bandc", "sexfemale", "sexother"];

    /// <summary>
    /// Forty rows. Person 1, the only one of sex "other", is censored at day 1, before every event:
    ///   i &lt;- 1:40
    ///   d &lt;- data.frame(time = ifelse(i == 1, 1, 2 + (i * 7) %% 50),
    ///     event = ifelse(i == 1, 0, as.integer(i %% 3 != 0)), engaged = i %% 2,
    ///     sex = factor(ifelse(i == 1, "other", ifelse(i %% 4 == 0, "female", "male")), levels = c("male", "female", "other")),
    ///     band = factor(c("a", "b", "c")[BAND]))
    /// </summary>
    private static (double[] Time, bool[] Event, double[] X) Cohort(Func<int, int> band)
    {
        var time = new double[40];
        var happened = new bool[40];
        var x = new double[40 * Names.Length];
        for (var i = 1; i <= 40; i++)
        {
            time[i - 1] = i == 1 ? 1 : 2 + (i * 7 % 50);
            happened[i - 1] = i != 1 && i % 3 != 0;
            var sex = i == 1 ? "other" : i % 4 == 0 ? "female" : "male";
            double[] row = [i % 2, band(i) == 1 ? 1 : 0, band(i) == 2 ? 1 : 0, sex == "female" ? 1 : 0, sex == "other" ? 1 : 0];
            row.CopyTo(x, (i - 1) * Names.Length);
        }

        return (time, happened, x);
    }

    [Fact]
    public void A_level_whose_only_member_left_before_the_first_event_is_not_estimable_and_the_rest_match_R()
    {
        // BAND = ((i * 5) %% 7) %% 3 + 1
        var (time, happened, x) = Cohort(i => i * 5 % 7 % 3);
        var fit = CoxModel.Fit(time, happened, x, Names);

        // fit <- coxph(Surv(time, event) ~ engaged + band + sex, data = d); options(digits = 15)
        // coef(fit):  engaged -0.193610825434257  bandb 0.484301964534363  bandc 0.230839173659405
        //             sexfemale 0.139278024511639  sexother NA
        // sqrt(diag(vcov(fit))): 0.493294259403351 0.522828269721010 0.555809502689814 0.548070042449885 0
        // fit$loglik: -69.7773493603311 -69.0868758136240; fit$iter: 3
        // summary(fit)$logtest: 1.38094709341414 on 4 df; $waldtest 1.38 (rounded by R); $sctest 1.39386840872469
        Assert.Equal([("sexother", NotEstimableTerm.NoInformation)], fit.NotEstimable.Select(t => (t.Name, t.Reason)));
        double[] beta = [-0.193610825434257, 0.484301964534363, 0.230839173659405, 0.139278024511639];
        double[] se = [0.493294259403351, 0.522828269721010, 0.555809502689814, 0.548070042449885];
        for (var j = 0; j < 4; j++)
        {
            var c = fit[Names[j]]!;
            Assert.Equal(beta[j], c.Beta, 1e-6);
            Assert.Equal(se[j], c.StdErr, 1e-6);
            Assert.False(c.MayBeInfinite);
            Assert.Null(fit.WhyNotEstimable(Names[j]));
        }

        Assert.True(fit.Converged);
        Assert.Equal(3, fit.Iterations);
        Assert.Equal(4, fit.DegreesOfFreedom);
        Assert.Equal(-69.7773493603311, fit.LogLikelihoodNull, 1e-9);
        Assert.Equal(-69.0868758136240, fit.LogLikelihood, 1e-9);
        Assert.Equal(1.38094709341414, fit.LikelihoodRatio, 1e-6);
        Assert.Equal(1.39386840872469, fit.ScoreChiSquare, 1e-6);
        Assert.Equal(1.38, fit.WaldChiSquare, 0.005);
        Assert.Equal(NotEstimableTerm.NoInformation, fit.WhyNotEstimable("sexother"));
    }

    [Fact]
    public void A_level_with_no_events_runs_to_infinity_as_R_warns_and_is_not_estimable_while_the_others_match_R()
    {
        // BAND = (i %% 3) + 1: band "a" is exactly the rows with i %% 3 == 0, who never have the event.
        var (time, happened, x) = Cohort(i => i % 3);
        var fit = CoxModel.Fit(time, happened, x, Names);

        // coef(fit): engaged -0.0669838123660282  bandb 19.4720019984200015  bandc 19.6994799352436303
        //            sexfemale 0.0645847753052319  sexother NA
        // sqrt(diag(vcov(fit))): 0.502385007052282 5633.07936846827 5633.07936770198 0.562376597645079 0
        // fit$loglik: -69.7773493603311 -61.0654767258843; fit$iter: 19; logtest 17.42374526889354 on 4 df
        // Warning: Loglik converged before variable 2,3 ; coefficient may be infinite.
        Assert.True(fit.Converged);
        Assert.Equal(19, fit.Iterations);
        Assert.Equal(4, fit.DegreesOfFreedom);
        Assert.Equal(17.42374526889354, fit.LikelihoodRatio, 1e-6);
        Assert.Equal(-0.0669838123660282, fit["engaged"]!.Beta, 1e-6);
        Assert.Equal(0.502385007052282, fit["engaged"]!.StdErr, 1e-6);
        Assert.Equal(0.0645847753052319, fit["sexfemale"]!.Beta, 1e-6);
        Assert.Equal(19.4720019984200015, fit["bandb"]!.Beta, 1e-4);
        Assert.Equal(["bandb", "bandc"], fit.Coefficients.Where(c => c.MayBeInfinite).Select(c => c.Name));
        Assert.Equal(NotEstimableTerm.Infinite, fit.WhyNotEstimable("bandb"));
        Assert.Null(fit.WhyNotEstimable("engaged"));
        Assert.Equal(NotEstimableTerm.NoInformation, fit.WhyNotEstimable("sexother"));
    }

    [Fact]
    public void The_median_takes_the_midpoint_where_survival_is_exactly_one_half_as_R_does()
    {
        // quantile(survfit(Surv(c(5,15,30,40), c(1,1,1,0)) ~ 1), 0.5, conf.int = FALSE): 22.5
        Assert.Equal(22.5, KaplanMeier.Estimate([5, 15, 30, 40], [true, true, true, false]).Median);
        // quantile(survfit(Surv(c(5,15,20,25), c(1,1,0,0)) ~ 1), 0.5, conf.int = FALSE): 20 (the curve ends at one half)
        Assert.Equal(20, KaplanMeier.Estimate([5, 15, 20, 25], [true, true, false, false]).Median);
    }

    [Fact]
    public void The_log_rank_test_counts_only_groups_with_expected_events_as_R_survdiff()
    {
        // aml2 <- rbind(aml[, c("time","status")], data.frame(time=1, status=0)); g <- c(as.integer(aml$x == "Nonmaintained"), 2)
        // survdiff(Surv(aml2$time, aml2$status) ~ g): chisq 3.3963886989776, expected 10.6893 7.3107 0, "on 1 degrees of freedom"
        double[] time = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45, 1];
        bool[] happened = [true, true, false, true, true, false, true, true, false, true, false, true, true, true, true, true, false, true, true, true, true, true, true, false];
        int[] group = [.. Enumerable.Repeat(0, 11), .. Enumerable.Repeat(1, 12), 2];
        var test = LogRank.Test(time, happened, group, 3);
        Assert.Equal(1, test.DegreesOfFreedom);
        Assert.Equal(3.3963886989776, test.ChiSquare, 1e-9);
        Assert.Equal([10.68933599230072, 7.31066400769928, 0], test.Expected, (a, b) => Math.Abs(a - b) < 1e-9);
    }

    [Fact]
    public void Survival_beyond_the_longest_follow_up_is_not_given_and_numbers_at_risk_match_R()
    {
        // summary(survfit(Surv(time, status) ~ 1, data = aml), times = c(30, 90, 180)): times 30 90 (180 left out), n.risk 9 1
        double[] time = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45];
        bool[] happened = [true, true, false, true, true, false, true, true, false, true, false, true, true, true, true, true, false, true, true, true, true, true, true];
        var curve = KaplanMeier.Estimate(time, happened);
        Assert.Equal(9, curve.AtRisk(30));
        Assert.Equal(1, curve.AtRisk(90));
        Assert.NotNull(curve.At(90));
        Assert.Null(curve.At(180));
        Assert.Equal(23, curve.AtRisk(0));
    }
}
