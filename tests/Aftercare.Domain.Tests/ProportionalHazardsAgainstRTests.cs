using Aftercare.Statistics;

namespace Aftercare.Domain.Tests;

/// <summary>
/// Issue 15: the proportional hazards tests are R's <c>survival::cox.zph</c> (R 4.2.2, survival 3.5.3,
/// transform "km"), per term and global. The R code that produced each value is in the comment
/// beside it; the data are built the same way on both sides.
/// </summary>
public sealed class ProportionalHazardsAgainstRTests
{
    private static readonly string[] Names = ["engaged", "bandb", "bandc"];

    private static string Term(string column) => column.StartsWith("band", StringComparison.Ordinal) ? "band" : column;

    /// <summary>
    /// Forty rows:
    ///   i &lt;- 1:40
    ///   d &lt;- data.frame(time = TIME, event = EVENT, engaged = i %% 2,
    ///                   band = factor(c("a", "b", "c")[(i * 5) %% 7 %% 3 + 1]))
    ///   fit &lt;- coxph(Surv(time, event) ~ engaged + band, data = d, ties = "efron"); options(digits = 15)
    /// </summary>
    private static (double[] Time, bool[] Event, double[] X) Cohort(Func<int, double> time, Func<int, bool> happened)
    {
        var t = new double[40];
        var d = new bool[40];
        var x = new double[40 * Names.Length];
        for (var i = 1; i <= 40; i++)
        {
            t[i - 1] = time(i);
            d[i - 1] = happened(i);
            var band = i * 5 % 7 % 3;
            double[] row = [i % 2, band == 1 ? 1 : 0, band == 2 ? 1 : 0];
            row.CopyTo(x, (i - 1) * Names.Length);
        }

        return (t, d, x);
    }

    [Fact]
    public void Engaged_people_whose_events_all_come_early_fail_the_test_as_in_R()
    {
        // TIME = ifelse(i %% 2 == 1, ifelse(i <= 24, 1 + i %% 7, 60), 3 * (i / 2))
        // EVENT = ifelse(i %% 2 == 1, as.integer(i <= 24), as.integer(i %% 10 != 0))
        // Engaged people: twelve events on days 1 to 7, eight censored at 60; the others spread to day 60.
        var (time, happened, x) = Cohort(i => i % 2 == 1 ? (i <= 24 ? 1 + (i % 7) : 60) : 3 * (i / 2), i => i % 2 == 1 ? i <= 24 : i % 10 != 0);
        var fit = CoxModel.Fit(time, happened, x, Names);
        // coef(fit): engaged -0.1302862965858779 bandb -0.2127197089537044 bandc -0.0720654444804807
        Assert.Equal(-0.1302862965858779, fit["engaged"]!.Beta, 1e-6);

        var zph = ProportionalHazards.Test(time, happened, x, Names, fit, Term);

        // cox.zph(fit)$table:
        //   engaged 25.00882746078819  1 5.70684367144009e-07
        //   band     1.40964443526229  2 4.94196425857947e-01
        //   GLOBAL  25.11969415720274  3 1.45758188992875e-05
        Assert.Equal(["engaged", "band"], zph.Terms.Select(t => t.Name));
        AssertTerm(zph["engaged"]!, 25.00882746078819, 1, 5.70684367144009e-07);
        AssertTerm(zph["band"]!, 1.40964443526229, 2, 4.94196425857947e-01);
        AssertTerm(zph.Global, 25.11969415720274, 3, 1.45758188992875e-05);

        // z2 <- cox.zph(fit, terms = FALSE); head(z2$x, 3): 0.00 0.00 0.05; head(z2$y, 3), tail(z2$y, 2):
        //   1 1.96871972916161 -2.184799570771256 -2.10679574007436
        //   1 1.96871972916161 -2.184799570771256 -2.10679574007436
        //   2 2.59957144504495  0.144697356501193  3.77917048239441
        //   54 -3.12360810819017 -0.833560518077448  3.01054750585469
        //   57 -3.45479713514634  2.609819305098422 -0.15392683105547
        Assert.Equal([0, 0, 0.05], zph.TransformedTimes.Take(3).Select(v => Math.Round(v, 10)));
        var engaged = zph.Residuals("engaged");
        Assert.Equal(1.96871972916161, engaged[0], 1e-9);
        Assert.Equal(2.59957144504495, engaged[2], 1e-9);
        Assert.Equal(-3.12360810819017, engaged[^2], 1e-9);
        Assert.Equal(-3.45479713514634, engaged[^1], 1e-9);
        Assert.Equal(3.77917048239441, zph.Residuals("bandc")[2], 1e-9);
        Assert.Equal(2.609819305098422, zph.Residuals("bandb")[^1], 1e-9);
        // The running mean falls over follow-up: the engaged group's hazard ratio is high early, low late.
        var smooth = zph.RunningMean("engaged", 9);
        Assert.True(smooth[0] > 0 && smooth[^1] < 0);
    }

    [Fact]
    public void Groups_followed_alike_pass_the_test_as_in_R()
    {
        // TIME = 2 + (i * 7) %% 60; EVENT = as.integer(i %% 5 != 0)
        var (time, happened, x) = Cohort(i => 2 + (i * 7 % 60), i => i % 5 != 0);
        var fit = CoxModel.Fit(time, happened, x, Names);
        // coef(fit): engaged 0.0101414247512833 bandb -0.3764161211212141 bandc -0.2453816104569841
        Assert.Equal(0.0101414247512833, fit["engaged"]!.Beta, 1e-6);

        var zph = ProportionalHazards.Test(time, happened, x, Names, fit, Term);

        // cox.zph(fit)$table:
        //   engaged 0.784390383275140  1 0.375801758767747
        //   band    0.428171332946995  2 0.807279225296030
        //   GLOBAL  1.459886854943493  3 0.691558878193409
        AssertTerm(zph["engaged"]!, 0.784390383275140, 1, 0.375801758767747);
        AssertTerm(zph["band"]!, 0.428171332946995, 2, 0.807279225296030);
        AssertTerm(zph.Global, 1.459886854943493, 3, 0.691558878193409);
    }

    [Fact]
    public void A_column_the_model_could_not_estimate_is_left_out_of_the_test_as_cox_zph_drops_an_NA_coefficient()
    {
        // As the first case with a fourth column, bandc again under another name (collinear: NA in coxph).
        // fit <- coxph(Surv(time, event) ~ engaged + band + copy, data = transform(d, copy = as.integer(band == "c")))
        // cox.zph(fit)$table is the first case's: copy is NA and is dropped.
        var (time, happened, x3) = Cohort(i => i % 2 == 1 ? (i <= 24 ? 1 + (i % 7) : 60) : 3 * (i / 2), i => i % 2 == 1 ? i <= 24 : i % 10 != 0);
        string[] names = [.. Names, "copy"];
        var x = new double[40 * 4];
        for (var i = 0; i < 40; i++)
        {
            x[i * 4] = x3[i * 3];
            x[(i * 4) + 1] = x3[(i * 3) + 1];
            x[(i * 4) + 2] = x3[(i * 3) + 2];
            x[(i * 4) + 3] = x3[(i * 3) + 2];
        }

        var fit = CoxModel.Fit(time, happened, x, names);
        Assert.Equal(["copy"], fit.NotEstimable.Select(t => t.Name));
        var zph = ProportionalHazards.Test(time, happened, x, names, fit, Term);
        Assert.Equal(["engaged", "band"], zph.Terms.Select(t => t.Name));
        AssertTerm(zph["engaged"]!, 25.00882746078819, 1, 5.70684367144009e-07);
        AssertTerm(zph.Global, 25.11969415720274, 3, 1.45758188992875e-05);
    }

    private static void AssertTerm(ProportionalHazardsTerm term, double chisq, int df, double p)
    {
        Assert.Equal(chisq, term.ChiSquare, 1e-7);
        Assert.Equal(df, term.DegreesOfFreedom);
        Assert.Equal(p, term.P, 1e-9);
    }
}
