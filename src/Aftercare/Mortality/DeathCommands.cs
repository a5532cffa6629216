using System.CommandLine;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Mortality;
using Aftercare.Cli;

namespace Aftercare.Mortality;

/// <summary>`aftercare deaths import FILE [--dry-run]`: mortality linkage from a CSV file, all or nothing.</summary>
public static class DeathCommands
{
    public static Command Create(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var file = new Argument<FileInfo>("FILE") { Description = $"A CSV file whose first line names the columns {ImportDeaths.Columns} (see docs/measures.md)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the file and report matched, unmatched and conflicting rows; write nothing." };
        var import = new Command("import", "Link deaths from mortality data. All or nothing: any conflicting row and nothing is written. Prints line numbers and counts, never identifiers.") { file, dryRun, cli.Db };
        import.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await cli.Error.WriteLineAsync($"FILE: {path.Name} was not found.");
                return 2;
            }

            // Whoever runs the binary holds the database's credentials: an administrator (docs/measures.md).
            return await cli.OnDatabaseAsync(parse, async (_, s) =>
            {
                var result = await ImportDeaths.Handle(s.GetRequiredService<AftercareDbContext>(), s.GetRequiredService<TimeProvider>(), s.GetRequiredService<LocalTime>(),
                    Actor.System, path.Name, await File.ReadAllBytesAsync(path.FullName, ct), parse.GetValue(dryRun), ct);
                if (!result.IsSuccess)
                {
                    foreach (var error in result.Errors)
                    {
                        await cli.Error.WriteLineAsync($"{path.Name}: {error.Message}");
                    }

                    return 2;
                }

                return Report(cli, result.Value);
            }, ct: ct);
        });
        return new Command("deaths", "Mortality linkage: deaths from a CSV file (administrators).") { import };
    }

    /// <summary>Counts and line numbers, never an identifier; 1 when a conflict stopped the import.</summary>
    private static int Report(CliContext cli, ImportDeaths.Report report)
    {
        cli.Out.WriteLine($"{report.SourceFile} (sha256 {report.SourceHash[..12]}…): {Words.Count(report.Lines.Count, "row")}.");
        cli.Out.WriteLine($"  matched: {report.Count(ImportDeaths.Outcome.Matched)}");
        cli.Out.WriteLine($"  already present: {report.Count(ImportDeaths.Outcome.AlreadyPresent)}");
        cli.Out.WriteLine($"  unmatched: {report.Count(ImportDeaths.Outcome.Unmatched)}");
        cli.Out.WriteLine($"  conflicting: {report.Count(ImportDeaths.Outcome.Conflict)}");
        foreach (var line in report.Lines.Where(l => l.Outcome is ImportDeaths.Outcome.Conflict or ImportDeaths.Outcome.Unmatched or ImportDeaths.Outcome.AlreadyPresent))
        {
            cli.Out.WriteLine($"line {line.Number}: {line.Note}");
        }

        if (report.HasConflicts)
        {
            cli.Out.WriteLine(report.DryRun
                ? "Dry run: nothing was written. An import of this file would write nothing until the conflicting lines are put right."
                : "Nothing was written: put the conflicting lines right and import the file again.");
            return 1;
        }

        cli.Out.WriteLine(report.DryRun
            ? $"Dry run: nothing was written. An import would record {Words.Count(report.Count(ImportDeaths.Outcome.Matched), "death")}."
            : report.Written == 0 ? "Nothing new to record." : $"Recorded {Words.Count(report.Written, "death")}.");
        return 0;
    }
}
