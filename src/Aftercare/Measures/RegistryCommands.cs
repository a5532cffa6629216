using System.CommandLine;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Measures;
using Aftercare.Cli;

namespace Aftercare.Measures;

/// <summary>`aftercare registry export`: the de-identified presentations CSV for a national registry.</summary>
public static class RegistryCommands
{
    public static Command Create(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var output = new Option<FileInfo>("--out") { Description = "Where to write the CSV.", Required = true };
        var from = new Option<string?>("--from") { Description = "First month, as 2026-01 (default: 12 months before --to)." };
        var to = new Option<string?>("--to") { Description = "Last month, as 2026-12 (default: this month)." };
        var export = new Command("export", "Write a de-identified CSV of presentations for a national registry: months not dates, no ids or free text, rare combinations coarsened (docs/measures.md).") { output, from, to, cli.Db };
        export.SetAction((parse, ct) => cli.OnDatabaseAsync(parse, async (_, s) =>
        {
            var (filter, _, problems) = new MeasuresQuery(parse.GetValue(from), parse.GetValue(to), null, null, null, null, null)
                .Parse(s.GetRequiredService<TimeProvider>().GetUtcNow(), s.GetRequiredService<LocalTime>());
            if (problems.Count > 0)
            {
                await cli.Error.WriteLineAsync(string.Join(" ", problems));
                return 2;
            }

            // Read on the standby when Aftercare:StandbyDatabase is set; audited on the primary.
            await using var standby = s.GetRequiredService<StaleReads>().Open();
            var result = await RegistryExport.Handle(s.GetRequiredService<AftercareDbContext>(), s.GetRequiredService<TimeProvider>(), s.GetRequiredService<LocalTime>(),
                Actor.System, filter.From, filter.To, s.GetRequiredService<MeasuresOptions>().SuppressBelow, ct, standby);
            var file = parse.GetValue(output)!;
            await File.WriteAllTextAsync(file.FullName, result.Csv, ct);
            cli.Out.WriteLine($"Wrote {result.Rows} presentations ({filter.From:yyyy-MM} to {filter.To:yyyy-MM}) to {file.Name}: {result.Coarsened} coarsened, {result.LeftOut} left out as too rare to publish.");
            return 0;
        }, ct: ct));
        return new Command("registry", "Exports for national registries.") { export };
    }
}
