using System.Diagnostics;
using Aftercare.App.Evaluation;

namespace Aftercare.Bench;

/// <summary>
/// The programme evaluation on a large synthetic cohort (docs/performance.md): the analysis is
/// compared with a baseline of reading the cohort CSV back and sorting its follow-up times, which
/// any analysis must at least do.
/// </summary>
public static class Evaluation
{
    public static async Task Run(int count)
    {
        var file = Path.Combine(Path.GetTempPath(), $"aftercare-bench-cohort-{Guid.NewGuid():N}.csv");
        try
        {
            Console.WriteLine($"Evaluation benchmark: {count:N0} synthetic index presentations, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            var rows = Stage("generate the synthetic cohort", () => SyntheticCohort.Generate(count, seed: 2026));
            await StageAsync("write the cohort CSV", async () =>
            {
                await using var writer = new StreamWriter(file);
                await CohortCsv.WriteAsync(writer, rows);
                return 0;
            });
            rows = null;
            GC.Collect();

            var baseline = Stopwatch.StartNew();
            var read = await StageAsync("baseline: read and validate the CSV, sort follow-up times", async () =>
            {
                using var reader = File.OpenText(file);
                var result = await CohortCsv.ReadAsync(reader);
                var days = result.Value.Select(r => (double)r.DaysToRepeat).ToArray();
                Array.Sort(days);
                return result.Value;
            });
            baseline.Stop();

            var analysis = Stopwatch.StartNew();
            var evaluation = Stage("evaluate: KM, log-rank, Cox (crude, adjusted, by pathway, 8 strata) x 3 outcomes", () => EvaluateProgramme.Run(read));
            analysis.Stop();
            var report = Stage("render the HTML report", () => EvaluationReport.Render(evaluation, new ReportContext("benchmark", DateTimeOffset.UtcNow, null, null)));

            Console.WriteLine($"evaluate / baseline = {analysis.Elapsed / baseline.Elapsed:F2}x; report {report.Length / 1024:N0} KiB");
            Console.WriteLine($"peak working set of the process: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024):N0} MiB");
            var adjusted = evaluation.Outcomes[0].EngagementAdjusted["Engaged"]!;
            Console.WriteLine($"check: repetition HR for engaged {adjusted.HazardRatio:F3} ({adjusted.Lower:F3} to {adjusted.Upper:F3}), true {Math.Exp(SyntheticCohort.EngagedRepeat):F3}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A synthetic cohort file (SyntheticCohort: known true effects, every repeat, mortality linked) for `aftercare evaluate --cohort` and R.</summary>
    public static async Task<int> WriteSyntheticCohort(int count, int seed, string path)
    {
        await using (var writer = new StreamWriter(path))
        {
            await CohortCsv.WriteAsync(writer, SyntheticCohort.Generate(count, seed));
        }

        Console.WriteLine($"{count:N0} synthetic rows (seed {seed}) written to {Path.GetFullPath(path)}");
        return 0;
    }

    private static T Stage<T>(string name, Func<T> work) => StageAsync(name, () => Task.FromResult(work())).GetAwaiter().GetResult();

    private static async Task<T> StageAsync<T>(string name, Func<Task<T>> work)
    {
        var allocated = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();
        var result = await work();
        clock.Stop();
        Console.WriteLine($"  {name,-80} {clock.Elapsed.TotalSeconds,7:F2} s  {(GC.GetTotalAllocatedBytes(true) - allocated) / (1024 * 1024),7:N0} MiB allocated");
        return result;
    }
}
