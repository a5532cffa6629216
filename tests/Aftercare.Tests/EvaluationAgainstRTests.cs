using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Aftercare.App;
using Aftercare.App.Evaluation;

namespace Aftercare.Tests;

/// <summary>
/// Issue 15: the R code in docs/evaluation.md, run as written by Rscript with survival on a generated
/// cohort, gives every number `aftercare evaluate --results` gives, to 1e-6. The block is read from the
/// document itself, so the documented code cannot drift from what is checked.
/// </summary>
public sealed partial class EvaluationAgainstRTests
{
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(1000, 7)] // sparse: strata with no deaths by suicide, terms R gives NA
    [InlineData(3000, 15)] // terms whose interval has no bound
    public async Task Every_number_of_the_evaluation_matches_the_R_code_in_the_docs_to_one_in_a_million(int people, int seed)
    {
        if (!OnPath("Rscript"))
        {
            // ./test.sh installs r-base-core and r-cran-survival; on CI a missing R is a failure, not a skip.
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "Rscript is not installed (./test.sh installs r-base-core, r-cran-survival and r-cran-cmprsk).");
            Assert.Skip("Rscript is not installed here.");
        }

        var folder = Directory.CreateTempSubdirectory("aftercare-r-check-").FullName;
        var cohort = Path.Combine(folder, "cohort.csv");
        // Small enough that some strata are sparse (death by suicide within an age band): the
        // not-estimable terms must agree with R's NA and "may be infinite" as well.
        await using (var writer = new StreamWriter(cohort))
        {
            await CohortCsv.WriteAsync(writer, SyntheticCohort.Generate(people, seed), TestContext.Current.CancellationToken);
        }

        var run = await CliTests.Aftercare(null, "evaluate", "--cohort", cohort, "--results", Path.Combine(folder, "results.json"));
        Assert.True(run.Code == 0, run.Err);
        Assert.Contains("results.csv", run.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "results.json")));

        var docs = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "evaluation.md"), TestContext.Current.CancellationToken);
        var script = Path.Combine(folder, "evaluation-check.R");
        await File.WriteAllTextAsync(script, RBlock().Match(docs).Groups[1].Value, TestContext.Current.CancellationToken);
        var (code, output) = await Rscript(folder, script, cohort, Path.Combine(folder, "r-results.csv"));
        Assert.True(code == 0, output);

        var ours = await Read(Path.Combine(folder, "results.csv"));
        var theirs = await Read(Path.Combine(folder, "r-results.csv"));
        Assert.True(ours.Count > 1000, $"only {ours.Count} values");

        // The same numbers exist on both sides: nothing only one of them computes.
        Assert.Empty(ours.Keys.Except(theirs.Keys).Where(k => Compared(k, ours)).Select(Describe));
        Assert.Empty(theirs.Keys.Except(ours.Keys).Where(k => Compared(k, theirs)).Select(Describe));

        var differences = new List<string>();
        foreach (var (key, value) in ours)
        {
            if (!Compared(key, ours) || !Compared(key, theirs) || !theirs.TryGetValue(key, out var r))
            {
                continue;
            }

            var same = double.IsNaN(value) ? double.IsNaN(r)
                : double.IsInfinity(value) ? value == r
                : Math.Abs(value - r) <= Tolerance * Math.Max(1, Math.Abs(r));
            if (!same)
            {
                differences.Add($"{Describe(key)}: ours {value.ToString("R", CultureInfo.InvariantCulture)}, R {r.ToString("R", CultureInfo.InvariantCulture)}");
            }
        }

        Assert.True(differences.Count == 0, $"{differences.Count} of {ours.Count} values differ from R:\n" + string.Join('\n', differences.Take(40)));
        // Competing risks (cmprsk's cuminc and crr) are among the numbers compared, for both outcomes deaths compete with.
        foreach (var outcome in new[] { "repeat", "death_suicide" })
        {
            Assert.Contains(ours, kv => kv.Key.Outcome == outcome && kv.Key.Analysis == "cif_engagement" && kv.Key.Statistic == "incidence");
            // engaged is estimated, or set aside as running to infinity (in the sparsest cohort, deaths by suicide): R agrees on which.
            Assert.Contains(("finegray_adjusted", "engaged", "estimable"), ours.Keys.Where(k => k.Outcome == outcome).Select(k => (k.Analysis, k.Term, k.Statistic)));
        }

        Assert.Contains(("repeat", "finegray_adjusted", "", "engaged", "se"), ours.Keys);

        // All repeats (Andersen–Gill, robust SE clustered by person, and the model-based SE beside it) and the landmark varied
        // are among the numbers compared: the coefficient, its SEs, the hazard (rate) ratio and its interval.
        foreach (var statistic in new[] { "beta", "se", "naive_se", "hr", "lower", "upper" })
        {
            Assert.Contains(("repeat", "cox_recurrent", "", "engaged", statistic), ours.Keys);
        }

        Assert.Contains(("repeat", "recurrent_rate", "engaged=1", "", "rate"), ours.Keys);
        Assert.True(ours[("repeat", "cox_recurrent", "", "", "events")] > ours[("repeat", "cox_adjusted", "", "", "events")], "all repeats are more than the first ones");
        foreach (var landmark in new[] { 7, 14, 28, 56 })
        {
            Assert.Contains(("repeat", "cox_landmark", $"landmark={landmark}", "engaged", "hr"), ours.Keys);
            Assert.Contains(("death_any", "cox_landmark", $"landmark={landmark}", "", "engaged"), ours.Keys);
        }

        // The cohort is sparse enough somewhere that both agree a term is not estimable.
        Assert.Contains(ours, kv => kv.Key.Statistic == "estimable" && kv.Value == 0);
    }

    /// <summary>
    /// The interrupted time series: the docs' second block (glm, MASS::glm.nb) run by Rscript on the series file that
    /// `--series` analyses gives every `its` and `its_month` number of --results to 1e-6: a Poisson series, and an
    /// overdispersed one the negative binomial fits (a start in a month other than January, so the season's phase is checked).
    /// </summary>
    [Theory]
    [InlineData(48, 24, 15, false)]
    [InlineData(40, 19, 8, true)]
    public async Task Every_number_of_the_time_series_matches_the_R_code_in_the_docs_to_one_in_a_million(int months, int startIndex, int seed, bool overdispersed)
    {
        if (!OnPath("Rscript"))
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "Rscript is not installed (./test.sh installs r-base-core and r-cran-mass).");
            Assert.Skip("Rscript is not installed here.");
        }

        var folder = Directory.CreateTempSubdirectory("aftercare-r-its-").FullName;
        var series = Path.Combine(folder, "series.csv");
        var first = new DateOnly(2021, 5, 1);
        await using (var writer = new StreamWriter(series))
        {
            await MonthlySeries.WriteCsvAsync(writer, SyntheticSeries.Generate(first, months, startIndex, seed, overdispersed: overdispersed), TestContext.Current.CancellationToken);
        }

        var start = first.AddMonths(startIndex).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var run = await CliTests.Aftercare(null, "evaluate", "--series", series, "--programme-start", start, "--results", Path.Combine(folder, "results.json"));
        Assert.True(run.Code == 0, run.Err);

        var docs = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "evaluation.md"), TestContext.Current.CancellationToken);
        var script = Path.Combine(folder, "its-check.R");
        await File.WriteAllTextAsync(script, ItsBlock().Match(docs).Groups[1].Value, TestContext.Current.CancellationToken);
        var (code, output) = await Rscript(folder, script, series, start, Path.Combine(folder, "r-its-results.csv"));
        Assert.True(code == 0, output);

        var ours = await Read(Path.Combine(folder, "results.csv"));
        var theirs = await Read(Path.Combine(folder, "r-its-results.csv"));
        Assert.All(ours.Keys, k => Assert.StartsWith("its", k.Analysis, StringComparison.Ordinal));
        Assert.Empty(ours.Keys.Except(theirs.Keys).Select(Describe));
        Assert.Empty(theirs.Keys.Except(ours.Keys).Select(Describe));
        var differences = ours.Where(kv => Math.Abs(kv.Value - theirs[kv.Key]) > Tolerance * Math.Max(1, Math.Abs(theirs[kv.Key])))
            .Select(kv => $"{Describe(kv.Key)}: ours {kv.Value.ToString("R", CultureInfo.InvariantCulture)}, R {theirs[kv.Key].ToString("R", CultureInfo.InvariantCulture)}").ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} of {ours.Count} values differ from R:\n" + string.Join('\n', differences.Take(40)));

        // Both models are among those compared, with every estimate the report shows.
        Assert.Equal(overdispersed ? 1 : 0, ours[("presentations", "its", "", "", "model")]);
        Assert.Contains(("deaths_suicide", "its", "", "level", "rr"), ours.Keys);
        Assert.Contains(("presentations", "its_month", "", "month=" + first.AddMonths(months - 1).ToString("yyyy-MM", CultureInfo.InvariantCulture), "upper"), ours.Keys);
        if (overdispersed)
        {
            Assert.Contains(("presentations", "its", "", "", "theta"), ours.Keys);
        }
    }

    /// <summary>
    /// Estimates of a term that is not estimable, and the numbers of a model that did not converge, are
    /// where the iterations stopped: compared are that it is not estimable (or did not converge), not the numbers.
    /// </summary>
    private static bool Compared((string Outcome, string Analysis, string Subset, string Term, string Statistic) key, Dictionary<(string, string, string, string, string), double> side)
    {
        if ((key.Analysis.StartsWith("cox", StringComparison.Ordinal) || key.Analysis.StartsWith("finegray", StringComparison.Ordinal)) && key.Statistic is not ("converged" or "n" or "events" or "competing"))
        {
            if (side.GetValueOrDefault((key.Outcome, key.Analysis, key.Subset, "", "converged"), 1) == 0)
            {
                return false;
            }

            if (key.Term.Length > 0 && key.Statistic != "estimable" && side.GetValueOrDefault((key.Outcome, key.Analysis, key.Subset, key.Term, "estimable"), 1) == 0)
            {
                return false;
            }

            // A model with a term that runs to infinity has a likelihood still creeping: its iteration count is R's own business.
            if (key.Statistic == "iterations")
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe((string Outcome, string Analysis, string Subset, string Term, string Statistic) k) =>
        $"{k.Outcome} {k.Analysis} [{k.Subset}] {k.Term} {k.Statistic}";

    private static async Task<Dictionary<(string Outcome, string Analysis, string Subset, string Term, string Statistic), double>> Read(string path)
    {
        var values = new Dictionary<(string, string, string, string, string), double>();
        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(EvaluationResults.CsvColumns, Csv.Cells(lines[0]));
        foreach (var line in lines.Skip(1))
        {
            var c = Csv.Cells(line);
            var value = c[5] == "NA" ? double.NaN : c[5] switch { "Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, "TRUE" => 1, "FALSE" => 0, _ => double.Parse(c[5], CultureInfo.InvariantCulture) };
            Assert.True(values.TryAdd((c[0], c[1], c[2], c[3], c[4]), value), $"{path} has {line} twice");
        }

        return values;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, program)));

    private static async Task<(int Code, string Output)> Rscript(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("Rscript") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"<!-- r-check: begin -->\s*```r\n(.*?)```\s*<!-- r-check: end -->", RegexOptions.Singleline)]
    private static partial Regex RBlock();

    [GeneratedRegex(@"<!-- r-check-its: begin -->\s*```r\n(.*?)```\s*<!-- r-check-its: end -->", RegexOptions.Singleline)]
    private static partial Regex ItsBlock();
}
