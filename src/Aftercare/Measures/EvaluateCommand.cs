using System.CommandLine;
using System.Security.Cryptography;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Evaluation;
using Aftercare.Cli;
using Aftercare.Hosting;

namespace Aftercare.Measures;

/// <summary>
/// `aftercare evaluate`: the programme evaluation (issue #7) as a self-contained HTML report, from
/// the record or from a cohort CSV, and the cohort itself as CSV so a statistician can reproduce it.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Base64 key for the pseudonyms (at least 32 bytes). Without it each export gets a new random key that is kept nowhere.</summary>
    public const string PseudonymKeySetting = "Aftercare:Evaluation:PseudonymKey";

    public static Command Create(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var db = cli.Db;
        var output = new Option<FileInfo?>("--out") { Description = "Write the HTML report here (default: evaluation-report.html, unless only --export-cohort is given)." };
        var export = new Option<FileInfo?>("--export-cohort") { Description = "Write the analysis cohort as CSV (pseudonymised; columns in docs/evaluation.md)." };
        var results = new Option<FileInfo?>("--results")
        {
            Description = "Also write every estimate at full precision as JSON to this file, and as a long CSV beside it (same name, .csv), to compare with R (docs/evaluation.md).",
        };
        results.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<FileInfo?>() is { } file && !file.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError("--results names the JSON file, ending .json (the CSV is written beside it).");
            }
        });
        var cohort = new Option<FileInfo?>("--cohort") { Description = "Analyse this cohort CSV instead of the database (the shape --export-cohort writes)." };
        var exportSeries = new Option<FileInfo?>("--export-series") { Description = "Write the service's monthly counts as CSV (month, presentations, repeat_presentations, deaths_any, deaths_suicide; docs/evaluation.md)." };
        var seriesFile = new Option<FileInfo?>("--series") { Description = "Analyse this monthly series CSV (the shape --export-series writes) for the time series, instead of the database; with --cohort, both files." };
        var programmeStart = new Option<string?>("--programme-start")
        {
            Description = $"The programme's first month, yyyy-MM, for the time series before and after it (default: {InterruptedTimeSeries.ProgrammeStartSetting}).",
        };
        programmeStart.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !InterruptedTimeSeries.TryParseStart(text, out _, out var why))
            {
                result.AddError($"--programme-start \"{text}\" {why} Nothing was written.");
            }
        });
        var engagedWithin = new Option<int>("--engaged-within-days")
        {
            Description = "Engaged: an aftercare contact reached the person within this many days of the index presentation; follow-up starts then (the landmark).",
            DefaultValueFactory = _ => 7,
        };
        var followUp = new Option<int>("--follow-up-days") { Description = "Longest follow-up after the landmark.", DefaultValueFactory = _ => 365 };
        engagedWithin.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 90)
            {
                result.AddError("--engaged-within-days must be between 1 and 90.");
            }
        });
        followUp.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 3650)
            {
                result.AddError("--follow-up-days must be between 1 and 3650.");
            }
        });
        var command = new Command("evaluate", "Evaluate the aftercare programme: time to repeat presentation and to death, engaged and not engaged and by pathway (Kaplan–Meier, log-rank, Cox), and the service's monthly counts before and after the programme started (interrupted time series). Group comparisons only: nothing about any one person.")
        {
            output, export, cohort, exportSeries, seriesFile, programmeStart, results, engagedWithin, followUp, db,
        };
        command.Validators.Add(result =>
        {
            var exporting = result.GetValue(export) is not null || result.GetValue(exportSeries) is not null || result.GetValue(db) is not null;
            if (result.GetValue(cohort) is not null && exporting)
            {
                result.AddError("--cohort analyses a file; it cannot be combined with --db, --export-cohort or --export-series.");
            }

            if (result.GetValue(seriesFile) is not null && exporting)
            {
                result.AddError("--series analyses a file; it cannot be combined with --db, --export-cohort or --export-series.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var settings = new EvaluationSettings(parse.GetValue(engagedWithin), parse.GetValue(followUp));
            var exportTo = parse.GetValue(export);
            var resultsTo = parse.GetValue(results);
            var exportSeriesTo = parse.GetValue(exportSeries);
            var reportTo = parse.GetValue(output) ?? (exportTo is null && exportSeriesTo is null && resultsTo is null ? new FileInfo("evaluation-report.html") : null);
            DateOnly? start = InterruptedTimeSeries.TryParseStart(parse.GetValue(programmeStart), out var given, out _) ? given : null;
            IReadOnlyList<CohortRow>? rows = null;
            ServiceSeries? series = null;
            ReportContext context;
            var cohortFile = parse.GetValue(cohort);
            var seriesPath = parse.GetValue(seriesFile);
            if (cohortFile is not null || seriesPath is not null)
            {
                if (seriesPath is not null)
                {
                    if (!seriesPath.Exists)
                    {
                        await cli.Error.WriteLineAsync($"--series: {seriesPath.FullName} was not found.");
                        return 2;
                    }

                    using var reader = seriesPath.OpenText();
                    var read = await cli.Step("Reading the monthly series…", () => MonthlySeries.ReadCsvAsync(reader, ct: ct));
                    if (!read.IsSuccess)
                    {
                        await cli.Error.WriteLineAsync($"--series: {seriesPath.Name} cannot be analysed:");
                        foreach (var error in read.Errors)
                        {
                            await cli.Error.WriteLineAsync("  " + error.Message);
                        }

                        return 1;
                    }

                    series = read.Value;
                }

                if (cohortFile is not null)
                {
                    if (!cohortFile.Exists)
                    {
                        await cli.Error.WriteLineAsync($"--cohort: {cohortFile.FullName} was not found.");
                        return 2;
                    }

                    using var reader = cohortFile.OpenText();
                    var read = await cli.Step("Reading the cohort…", () => CohortCsv.ReadAsync(reader, ct: ct));
                    if (!read.IsSuccess)
                    {
                        await cli.Error.WriteLineAsync($"--cohort: {cohortFile.Name} cannot be analysed:");
                        foreach (var error in read.Errors)
                        {
                            await cli.Error.WriteLineAsync("  " + error.Message);
                        }

                        return 1;
                    }

                    rows = read.Value;
                }

                var source = string.Join(" and ", new[] { cohortFile is null ? null : $"the cohort file {cohortFile.Name}", seriesPath is null ? null : $"the series file {seriesPath.Name}" }.OfType<string>());
                context = new ReportContext(source, TimeProvider.System.GetUtcNow(), null, null);
            }
            else
            {
                await using var app = Program.BuildWebApp(cli.Host(parse));
                if (start is null && app.Configuration[InterruptedTimeSeries.ProgrammeStartSetting] is { Length: > 0 } configuredStart)
                {
                    if (!InterruptedTimeSeries.TryParseStart(configuredStart, out var fromSettings, out var why))
                    {
                        await cli.Error.WriteLineAsync($"{InterruptedTimeSeries.ProgrammeStartSetting} \"{configuredStart}\" {why} Nothing was written.");
                        return 2;
                    }

                    start = fromSettings;
                }

                await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false, ct);
                await using var scope = app.Services.CreateAsyncScope();
                var clock = app.Services.GetRequiredService<TimeProvider>();
                var key = app.Configuration[PseudonymKeySetting] is { Length: > 0 } configured ? Convert.FromBase64String(configured) : RandomNumberGenerator.GetBytes(32);
                if (key.Length < 32)
                {
                    await cli.Error.WriteLineAsync($"{PseudonymKeySetting} must be at least 32 bytes, base64-encoded.");
                    return 2;
                }

                // Read on the standby when Aftercare:StandbyDatabase is set (the primary otherwise).
                await using var standby = scope.ServiceProvider.GetRequiredService<StaleReads>().Open();
                var database = standby ?? scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
                var extracted = await cli.Step("Drawing the cohort from the record…", () =>
                    ExtractCohort.Handle(database, clock.GetUtcNow(), key, settings, ct: ct));
                series = await cli.Step("Counting the months…", () =>
                    MonthlySeries.Handle(database, clock.GetUtcNow(), app.Services.GetRequiredService<LocalTime>().Zone, ct: ct));
                rows = extracted.Rows;
                // Drawn from everyone's record and written to files: audited on the primary, as the evaluation page and the registry export are.
                var primary = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
                primary.Audit(clock, Actor.System, Domain.Audit.AuditAction.MeasuresExported, Domain.Audit.AuditPurpose.Administration, entityId: "programme evaluation (aftercare evaluate)");
                await primary.SaveChangesAsync(ct);
                context = new ReportContext(app.Services.GetRequiredService<DatabaseSettings>().Describe(), clock.GetUtcNow(), settings, extracted);
                cli.Out.WriteLine($"Cohort: {rows.Count:N0} people (of {extracted.People:N0}); mortality data {(extracted.MortalityLinked ? "linked" : "not linked: no deaths are shown")}.");
                cli.Out.WriteLine(series.Months.Count == 0 ? "Monthly series: no complete month yet." : $"Monthly series: {series.Months.Count:N0} complete months, {series.Months[0].Label} to {series.Months[^1].Label}.");
                if (exportTo is not null)
                {
                    await using (var writer = new StreamWriter(exportTo.FullName))
                    {
                        await CohortCsv.WriteAsync(writer, rows, ct);
                    }

                    cli.Out.WriteLine($"Cohort written to {exportTo.FullName}.");
                    cli.Out.WriteLine(app.Configuration[PseudonymKeySetting] is { Length: > 0 }
                        ? $"Pseudonyms are keyed with {PseudonymKeySetting}: the same person has the same pid in every export made with that key."
                        : "Pseudonyms are keyed with a new random key that was not kept: they cannot be linked to people or to other exports.");
                }

                if (exportSeriesTo is not null)
                {
                    await using (var writer = new StreamWriter(exportSeriesTo.FullName))
                    {
                        await MonthlySeries.WriteCsvAsync(writer, series, ct);
                    }

                    cli.Out.WriteLine($"Monthly series written to {exportSeriesTo.FullName} (whole-service counts, no people).");
                }
            }

            if (reportTo is null && resultsTo is null)
            {
                return 0;
            }

            if (rows is { Count: 0 })
            {
                await cli.Error.WriteLineAsync("There is nobody in the cohort yet, so there is nothing to evaluate.");
                return 1;
            }

            var result = rows is null ? null : await cli.Step("Analysing…", () => Task.Run(() => EvaluateProgramme.Run(rows), ct));
            var timeSeries = series is null ? null : InterruptedTimeSeries.Run(series, start);
            if (series is null && start is not null)
            {
                cli.Out.WriteLine("Time series: not fitted: --cohort alone has no monthly series (give --series too).");
            }

            if (timeSeries is { NotFitted: { } notFitted })
            {
                cli.Out.WriteLine($"Time series: not fitted: {notFitted}");
            }

            context = context with { TimeSeries = timeSeries };
            if (reportTo is not null)
            {
                await File.WriteAllTextAsync(reportTo.FullName, EvaluationReport.Render(result, context), ct);
                cli.Out.WriteLine($"Report written to {reportTo.FullName}.");
            }

            if (resultsTo is not null)
            {
                var values = EvaluationResults.From(result, timeSeries);
                await using (var json = File.Create(resultsTo.FullName))
                {
                    await values.WriteJsonAsync(json, ct);
                }

                var csvTo = Path.ChangeExtension(resultsTo.FullName, ".csv");
                await using (var csv = new StreamWriter(csvTo))
                {
                    await values.WriteCsvAsync(csv, ct);
                }

                cli.Out.WriteLine($"Results written to {resultsTo.FullName} and {csvTo} ({values.Values.Count:N0} values).");
            }

            return 0;
        });
        return command;
    }
}
