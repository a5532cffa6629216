using Aftercare.Statistics;

namespace Aftercare.Domain.Tests;

/// <summary>
/// Issue 15, interrupted time series: Poisson and negative-binomial GLMs and the segmented design agree
/// with R 4.2.2's glm and MASS 7.3's glm.nb to 1e-6 on 48 made-up months (a programme starting at month 24,
/// a level drop, seasonality). The R code that produced the values starts with
///   library(MASS)
///   t &lt;- 0:47; level &lt;- as.numeric(t &gt;= 24); slope &lt;- pmax(0, t - 24); month &lt;- (t %% 12) + 1
///   d &lt;- data.frame(t, level, slope, sin1 = sin(2*pi*month/12), cos1 = cos(2*pi*month/12), pop)
///   f &lt;- function(x) cat(paste(sprintf("%.17g", x), collapse=", "), "\n")
///   show &lt;- function(m) {
///     s &lt;- summary(m)$coefficients
///     f(coef(m)); f(s[, 2]); f(s[, 4]); f(c(deviance(m), df.residual(m), AIC(m), m$iter, m$converged))
///     f(sum(residuals(m, "pearson")^2) / df.residual(m))
///     z &lt;- qnorm(0.975)
///     f(exp(coef(m)["level"] + c(0, -z, z) * s["level", 2])); f(exp(coef(m)["slope"] + c(0, -z, z) * s["slope", 2]))
///     cf &lt;- d; cf$level &lt;- 0; cf$slope &lt;- 0
///     p &lt;- predict(m, newdata = cf[c(25, 31, 48), ], se.fit = TRUE)
///     f(exp(p$fit)); f(exp(p$fit - z * p$se.fit)); f(exp(p$fit + z * p$se.fit))
///     f(fitted(m)[c(1, 25, 48)]) }
/// (the series y, ynb, y0 and pop are the arrays below; they were drawn once with rpois and rnbinom, seed 15).
/// </summary>
public sealed class SegmentedRegressionAgainstRTests
{
    private const double Tolerance = 1e-6;

    private static readonly double[] Y = [48, 60, 44, 39, 32, 40, 40, 44, 40, 43, 31, 37, 48, 45, 49, 38, 46, 38, 32, 33, 23, 44, 39, 53, 34, 39, 46, 39, 37, 31, 26, 32, 24, 33, 39, 41, 46, 45, 42, 44, 36, 32, 32, 25, 36, 31, 27, 28];
    private static readonly double[] Ynb = [63, 47, 34, 41, 77, 44, 55, 52, 44, 45, 67, 62, 59, 20, 32, 71, 54, 58, 38, 6, 24, 72, 27, 106, 39, 32, 33, 30, 31, 25, 50, 23, 28, 27, 50, 26, 37, 44, 13, 32, 26, 28, 24, 24, 22, 21, 27, 41];
    private static readonly double[] Y0 = [1, 4, 4, 2, 3, 2, 0, 2, 1, 0, 2, 0, 0, 3, 0, 2, 0, 0, 1, 0, 3, 2, 2, 1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 2, 1, 0, 1, 0, 0, 1, 1, 0, 0, 2, 1];
    private static readonly double[] Pop = [50000, 50064, 50128, 50191, 50255, 50319, 50383, 50447, 50511, 50574, 50638, 50702, 50766, 50830, 50894, 50957, 51021, 51085, 51149, 51213, 51277, 51340, 51404, 51468, 51532, 51596, 51660, 51723, 51787, 51851, 51915, 51979, 52043, 52106, 52170, 52234, 52298, 52362, 52426, 52489, 52553, 52617, 52681, 52745, 52809, 52872, 52936, 53000];
    private static readonly string[] Names = ["(Intercept)", "t", "level", "slope", "sin1", "cos1"];

    private static void Close(double expected, double actual, double tolerance = Tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    private static void Close(double[] expected, IEnumerable<double> actual)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (var i = 0; i < a.Length; i++)
        {
            Close(expected[i], a[i]);
        }
    }

    /// <summary>The design R builds from the data frame above, row-major, January first.</summary>
    private static double[] Design(bool repeatLevel = false)
    {
        var rows = new List<double>();
        for (var t = 0; t < 48; t++)
        {
            var month = (t % 12) + 1;
            rows.AddRange([1, t, t >= 24 ? 1 : 0, Math.Max(0, t - 24)]);
            if (repeatLevel)
            {
                rows.Add(t >= 24 ? 1 : 0);
            }

            rows.AddRange([Math.Sin(2 * Math.PI * month / 12), Math.Cos(2 * Math.PI * month / 12)]);
        }

        return [.. rows];
    }

    private static double[] LogPop => [.. Pop.Select(p => Math.Log(p))];

    /// <summary>mp &lt;- glm(y ~ t + level + slope + sin1 + cos1 + offset(log(pop)), family = poisson, data = d); show(mp)</summary>
    [Fact]
    public void A_Poisson_fit_with_a_population_offset_matches_glm()
    {
        var fit = Glm.Poisson(Y, Design(), Names, LogPop);
        Assert.True(fit.Converged);
        Assert.Equal(4, fit.Iterations);
        Assert.Empty(fit.NotEstimable);
        Close([-7.09663007244475, -0.0025760811408037333, -0.11588388960538124, -0.00057065130394424513, 0.1516137856251828, 0.075822305239454449], fit.Coefficients.Select(c => c.Estimate));
        Close([0.063103525820988077, 0.0047964243504069748, 0.099457752006427411, 0.0067213794946575931, 0.036106590293727529, 0.033305606170246679], fit.Coefficients.Select(c => c.StdErr));
        Close([0, 0.59120982773087627, 0.24395547353546676, 0.93234016023635913, 2.6802377312393737e-05, 0.022812344283769548], fit.Coefficients.Select(c => c.P));
        Close(37.363748574022345, fit.Deviance);
        Assert.Equal(42, fit.ResidualDegreesOfFreedom);
        Close(311.56530127982853, fit.Aic);
        Close(0.87304907632153317, fit.Dispersion);
        Close(47.685107971270426, fit.Fitted[0]);
        Close(41.144459594741122, fit.Fitted[24]);
        Close(36.861024348967184, fit.Fitted[47]);
    }

    /// <summary>mz &lt;- glm(y0 ~ t + level + slope + sin1 + cos1, family = poisson, data = d); show(mz)</summary>
    [Fact]
    public void A_series_with_many_zero_months_fits_as_glm_fits_it()
    {
        var fit = Glm.Poisson(Y0, Design(), Names);
        Assert.True(fit.Converged);
        Assert.Equal(5, fit.Iterations);
        Close([0.66014404346565059, -0.029829072813512332, -0.83853360144637068, 0.057619319523819254, 0.24829205514966926, 0.21678339945174788], fit.Coefficients.Select(c => c.Estimate));
        Close([0.31717118785439369, 0.026040592370980772, 0.70722392501628184, 0.045339181918128163, 0.22554388768801564, 0.20623223630093654], fit.Coefficients.Select(c => c.StdErr));
        Close(53.116891979065691, fit.Deviance);
        Close(130.76098953068268, fit.Aic);
        Close(1.0051725593509004, fit.Dispersion);
    }

    /// <summary>
    ///   d$level2 &lt;- d$level
    ///   ma &lt;- glm(y ~ t + level + slope + level2 + sin1 + cos1 + offset(log(pop)), family = poisson, data = d)
    ///   coef: as mp's with NA for level2
    /// </summary>
    [Fact]
    public void A_column_that_repeats_another_is_reported_not_estimable_and_the_rest_fit_as_without_it()
    {
        string[] names = ["(Intercept)", "t", "level", "slope", "level2", "sin1", "cos1"];
        var fit = Glm.Poisson(Y, Design(repeatLevel: true), names, LogPop);
        Assert.True(fit.Converged);
        var term = Assert.Single(fit.NotEstimable);
        Assert.Equal("level2", term.Name);
        Assert.Equal(NotEstimableTerm.RepeatsOthers, term.Reason);
        Assert.Null(fit["level2"]);
        Assert.Equal(42, fit.ResidualDegreesOfFreedom);
        Close([-7.09663007244475, -0.0025760811408037333, -0.11588388960538124, -0.00057065130394424513, 0.1516137856251828, 0.075822305239454449], fit.Coefficients.Select(c => c.Estimate));
        Close([0.063103525820988077, 0.0047964243504069748, 0.099457752006427411, 0.0067213794946575931, 0.036106590293727529, 0.033305606170246679], fit.Coefficients.Select(c => c.StdErr));
    }

    /// <summary>
    ///   mn &lt;- glm.nb(ynb ~ t + level + slope + sin1 + cos1, data = d); show(mn)
    ///   f(c(mn$theta, mn$SE.theta, mn$twologlik))
    /// </summary>
    [Fact]
    public void A_negative_binomial_fit_matches_glm_nb_with_theta_and_its_standard_error()
    {
        var fit = Glm.NegativeBinomial(Ynb, Design(), Names);
        Assert.True(fit.Converged);
        Assert.Null(fit.ThetaWarning);
        Assert.Equal(1, fit.Iterations);
        Close([3.925453077702584, -0.0016435743005985017, -0.34502359493090745, -0.0095544074277895633, 0.048808603148414273, 0.11024425750518456], fit.Coefficients.Select(c => c.Estimate));
        Close([0.15078049181017503, 0.011373646246533697, 0.23161173259077406, 0.015714195225525692, 0.083350849792225984, 0.077453048729506077], fit.Coefficients.Select(c => c.StdErr));
        Close([2.030129325556436e-149, 0.8850999347132199, 0.13631267876247072, 0.54318001478827938, 0.55815769068788812, 0.15462925534064037], fit.Coefficients.Select(c => c.P));
        Close(49.428650879466488, fit.Deviance);
        Assert.Equal(42, fit.ResidualDegreesOfFreedom);
        Close(404.41348350923909, fit.Aic);
        Close(0.97593659652629805, fit.Dispersion);
        Close(8.6372747378337387, fit.Theta!.Value);
        Close(2.1665688437760178, fit.ThetaStdErr!.Value);
        Close(-390.41348350923909, fit.TwoLogLikelihood);
        Close(57.130133350788562, fit.Fitted[0]);
        Close(38.894868577658578, fit.Fitted[24]);
        Close(29.775156678493108, fit.Fitted[47]);
    }

    /// <summary>
    ///   mo &lt;- glm.nb(ynb ~ t + level + slope + sin1 + cos1 + offset(log(pop)), data = d); show(mo)
    ///   f(c(mo$theta, mo$SE.theta, mo$twologlik))
    /// </summary>
    [Fact]
    public void A_negative_binomial_fit_with_an_offset_matches_glm_nb()
    {
        var fit = Glm.NegativeBinomial(Ynb, Design(), Names, LogPop);
        Assert.True(fit.Converged);
        Close([-6.8943953333298236, -0.0029012526332200233, -0.34501451860507543, -0.0095177854284034316, 0.048815339703939489, 0.11025601315143617], fit.Coefficients.Select(c => c.Estimate));
        Close([0.15078196228108712, 0.011373759128992886, 0.23161384059315587, 0.01571436414433024, 0.083351419328707863, 0.077453703305530655], fit.Coefficients.Select(c => c.StdErr));
        Close(49.4286025643692, fit.Deviance);
        Close(404.41423895203008, fit.Aic);
        Close(8.6370970794968667, fit.Theta!.Value);
        Close(2.1665121968016976, fit.ThetaStdErr!.Value);
    }

    /// <summary>
    /// The segmented design of SegmentedRegression is R's data frame d above; show(mp): rate ratios
    /// exp(β ± qnorm(0.975)·SE) and the counterfactual predict(mp, newdata = cf, se.fit = TRUE) at months 24, 30, 47.
    /// </summary>
    [Fact]
    public void A_level_drop_with_seasonality_gives_glm_rate_ratios_and_counterfactual_and_keeps_the_Poisson()
    {
        var its = SegmentedRegression.Fit(Y, startMonth: 24, offset: LogPop);
        Assert.Equal(CountModel.Poisson, its.Model);
        Assert.Same(its.Poisson, its.Fit);
        Close(0.87304907632153317, its.PoissonDispersion);
        Assert.Equal([SegmentedRegression.Intercept, SegmentedRegression.Time, SegmentedRegression.Level, SegmentedRegression.Slope, "sin1", "cos1"], its.Fit.Coefficients.Select(c => c.Name));
        Close(-0.11588388960538124, its.Fit[SegmentedRegression.Level]!.Estimate);
        Close([0.89057862272980615, 0.73284760723951914, 1.0822581331074701, 0.24395547353546676], Parts(its.LevelChange!));
        Close([0.99942951148654413, 0.98634970878253336, 1.0126827630568671, 0.93234016023635913], Parts(its.SlopeChange!));
        Assert.Equal(24, its.Counterfactual.Count);
        Assert.Equal(Enumerable.Range(24, 24), its.Counterfactual.Select(m => m.Month));
        AtMonths(its, [46.199693709944356, 34.535217578240839, 41.93679532923921], [39.659929409021174, 28.464787301348828, 29.788042917500938], [53.817839080852515, 41.90023415772788, 59.040293696275]);
        Close(41.144459594741122, its.Counterfactual[0].Fitted);
        Assert.Equal(34, its.Counterfactual[0].Observed);
    }

    /// <summary>
    ///   mq &lt;- glm(ynb ~ t + level + slope + sin1 + cos1, family = poisson, data = d); show(mq)   # pearson/df 5.973435446906155
    ///   show(mn)   # the negative binomial above
    /// </summary>
    [Fact]
    public void An_overdispersed_series_is_fitted_by_the_negative_binomial_with_glm_nb_rate_ratios_and_counterfactual()
    {
        var its = SegmentedRegression.Fit(Ynb, startMonth: 24);
        Close(5.973435446906155, its.PoissonDispersion);
        Assert.Equal(CountModel.NegativeBinomial, its.Model);
        Close(8.6372747378337387, its.Fit.Theta!.Value);
        Close([0.70820364325463159, 0.44979010012392601, 1.1150810126344399, 0.13631267876247072], Parts(its.LevelChange!));
        Close([0.99049109090435916, 0.96044970248468142, 1.0214721277156675, 0.54318001478827938], Parts(its.SlopeChange!));
        AtMonths(its, [54.920458187581055, 42.788407773538218, 52.376045668793793], [38.334720912854266, 27.206248192768964, 23.371208824655891], [78.682109996069912, 67.295123782675745, 117.37733296043845]);

        // The Poisson it set aside is glm's, and can still be asked for.
        Close(267.91384346991345, its.Poisson.Deviance);
        var poisson = SegmentedRegression.Fit(Ynb, startMonth: 24, model: CountModel.Poisson);
        Assert.Equal(CountModel.Poisson, poisson.Model);
        Close([0.69370878426207938, 0.57339216964397499, 0.83927179832465082, 0.00016795894853062655], Parts(poisson.LevelChange!));
        AtMonths(poisson, [55.860242287200016, 43.705497738566613, 54.962803551492982], [48.560336946019838, 36.634656361596164, 40.304775901182509], [64.257516825991573, 52.141079575630158, 74.951657879119409]);
    }

    /// <summary>show(mz): the zero-heavy series through the segmented design.</summary>
    [Fact]
    public void A_series_with_zero_months_gives_its_rate_ratios_and_counterfactual()
    {
        var its = SegmentedRegression.Fit(Y0, startMonth: 24);
        Assert.Equal(CountModel.Poisson, its.Model);
        Close([0.43234404750209127, 0.10810340853901483, 1.7290978881857375, 0.23575297580714705], Parts(its.LevelChange!));
        Close([1.0593116596770522, 0.96923920097410032, 1.157754650451593, 0.2037818586264501], Parts(its.SlopeChange!));
        AtMonths(its, [1.2919235794262585, 0.57890661590305514, 0.59153230639173637], [0.52529138288194166, 0.18997062097292475, 0.086246494177313074], [3.1774108418082987, 1.7641299913637263, 4.0570978895182748]);
    }

    /// <summary>
    /// A series starting in April, the programme from month 20, two Fourier pairs, negative binomial:
    ///   t &lt;- 0:47; level &lt;- as.numeric(t &gt;= 20); slope &lt;- pmax(0, t - 20); month &lt;- ((t + 3) %% 12) + 1
    ///   d &lt;- data.frame(t, level, slope, sin1 = sin(2*pi*month/12), cos1 = cos(2*pi*month/12),
    ///                   sin2 = sin(4*pi*month/12), cos2 = cos(4*pi*month/12))
    ///   m &lt;- glm.nb(ynb ~ t + level + slope + sin1 + cos1 + sin2 + cos2, data = d)
    ///   f(coef(m)); f(summary(m)$coefficients[, 2]); f(c(m$theta, m$SE.theta, deviance(m), AIC(m)))
    ///   cf &lt;- d; cf$level &lt;- 0; cf$slope &lt;- 0; z &lt;- qnorm(0.975)
    ///   p &lt;- predict(m, newdata = cf[c(21, 48), ], se.fit = TRUE)
    ///   f(exp(p$fit)); f(exp(p$fit - z * p$se.fit)); f(exp(p$fit + z * p$se.fit))
    /// </summary>
    [Fact]
    public void Two_seasonal_pairs_and_a_series_starting_in_April_match_glm_nb()
    {
        var its = SegmentedRegression.Fit(Ynb, startMonth: 20, harmonics: 2, firstCalendarMonth: 4, model: CountModel.NegativeBinomial);
        Assert.Equal(["(Intercept)", "time", "level", "slope", "sin1", "cos1", "sin2", "cos2"], its.Fit.Coefficients.Select(c => c.Name));
        Close([4.0605983518749911, -0.019909027499232741, 0.14852873328040164, -0.0044828061540102271, 0.11097848822200675, -0.0099941712933060665, 0.10493942141796864, -0.25991846755080555], its.Fit.Coefficients.Select(c => c.Estimate));
        Close([0.14256107712431179, 0.013001091606272167, 0.20199778681888333, 0.015090423540669634, 0.068888608744170049, 0.070745975497836663, 0.068473962026593796, 0.068670807711418536], its.Fit.Coefficients.Select(c => c.StdErr));
        Close([11.826125802424253, 3.2160213925679884, 49.749854047888647, 396.88713714593479], [its.Fit.Theta!.Value, its.Fit.ThetaStdErr!.Value, its.Fit.Deviance, its.Fit.Aic]);
        int[] months = [20, 47];
        Close([29.740363484924032, 32.975702921733443], months.Select(m => its.Counterfactual.Single(c => c.Month == m).Expected));
        Close([20.709859823891165, 12.148039297965779], months.Select(m => its.Counterfactual.Single(c => c.Month == m).Lower));
        Close([42.708604874043836, 89.512139079473314], months.Select(m => its.Counterfactual.Single(c => c.Month == m).Upper));
    }

    [Fact]
    public void A_programme_start_with_no_months_before_or_after_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentedRegression.Fit(Y, startMonth: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentedRegression.Fit(Y, startMonth: 48));
        Assert.Throws<ArgumentException>(() => Glm.Poisson([1, -1], [1, 1], ["(Intercept)"]));
    }

    private static double[] Parts(RateRatio r) => [r.Estimate, r.Lower, r.Upper, r.P];

    private static void AtMonths(SegmentedFit its, double[] expected, double[] lower, double[] upper)
    {
        int[] months = [24, 30, 47];
        Close(expected, months.Select(m => its.Counterfactual.Single(c => c.Month == m).Expected));
        Close(lower, months.Select(m => its.Counterfactual.Single(c => c.Month == m).Lower));
        Close(upper, months.Select(m => its.Counterfactual.Single(c => c.Month == m).Upper));
    }
}
