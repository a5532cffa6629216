using System.CommandLine;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Cli;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace Aftercare.Audit;

/// <summary>`aftercare audit verify`: check the audit's hash chain, optionally against a head kept away from the database.</summary>
public static class AuditCommands
{
    public static Command Create(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var expect = new Option<string?>("--expect")
        {
            Description = "POSITION:HASH printed by an earlier run and kept away from the database: also checks that no event up to it was cut from the end or rebuilt.",
        };
        expect.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !VerifyAudit.Anchor.TryParse(text, out _))
            {
                result.AddError("--expect takes POSITION:HASH as printed by an earlier `aftercare audit verify`, e.g. 1234:9f86d0…(64 hex digits).");
            }
        });
        var verify = new Command("verify", "Check the audit's hash chain: report any event modified, deleted, inserted or reordered, and the last good one. Exits 0 when intact.") { expect, cli.Db };
        verify.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(cli.Host(parse));
            var database = app.Services.GetRequiredService<DatabaseSettings>();
            if (database.Provider == DatabaseProvider.Sqlite && !File.Exists(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource))
            {
                await cli.Error.WriteLineAsync($"There is no database at {database.Describe()}.");
                return 2;
            }

            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
            if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
            {
                await cli.Error.WriteLineAsync($"{database.Describe()} is not up to date: run `aftercare migrate` first, then verify.");
                return 2;
            }

            var seal = app.Services.GetRequiredService<AuditSeal>();
            if (!seal.KeyExists && await db.AuditEvents.AnyAsync(ct))
            {
                await cli.Error.WriteLineAsync($"The audit key is not in the keys folder {seal.KeysFolder}: without it no event's MAC can be checked. Give this database's keys folder (Aftercare:DataProtection:KeysFolder).");
                return 2;
            }

            var anchor = VerifyAudit.Anchor.TryParse(parse.GetValue(expect), out var kept) ? kept : null;
            var report = await VerifyWithProgressAsync(cli, db, anchor, ct);
            cli.Out.WriteLine($"Checked {report.Checked} of {Words.Count((int)Math.Min(report.Total, int.MaxValue), "audit event")} on {database.Describe()}.");
            var partitions = await AuditPartitions.ListAsync(db, ct);
            if (partitions.Count > 0)
            {
                var used = partitions.Where(p => p.Events > 0).ToList();
                cli.Out.WriteLine($"The events are held in {Words.Count(used.Count, "partition")} ({string.Join(", ", used.Select(p => $"{p.Partition}: {p.Events}"))}); {partitions.Count - used.Count} more stand empty, ready for the months ahead.");
            }

            if (report.Checkpoint is { } checkpoint)
            {
                cli.Out.WriteLine($"Checked against the checkpoint of the chain's head in the keys folder (position {checkpoint}).");
            }

            if (report.LastGood is { } good)
            {
                cli.Out.WriteLine($"Last good event: position {good.Position}, id {good.Id}, at {good.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z.");
            }

            if (report.Broken is { } broken)
            {
                await cli.Error.WriteLineAsync($"{AuditWords.Verdict(report)} {broken.Explanation}");
                return 1;
            }

            cli.Out.WriteLine(AuditWords.Verdict(report));
            if (report.LastGood is { } head)
            {
                cli.Out.WriteLine($"To check later that nothing up to here is cut or rebuilt, keep this away from the database: --expect {head.Position}:{head.Hash}");
            }

            return 0;
        });
        return new Command("audit", "Check the audit.") { verify };
    }

    private static async Task<VerifyAudit.Report> VerifyWithProgressAsync(CliContext cli, AftercareDbContext db, VerifyAudit.Anchor? anchor, CancellationToken ct)
    {
        if (!cli.Console.Profile.Capabilities.Interactive)
        {
            return await VerifyAudit.Handle(db, null, ct, anchor);
        }

        var total = await db.AuditEvents.LongCountAsync(ct);
        return await cli.Console.Progress().StartAsync(async context =>
        {
            var task = context.AddTask("Verifying the audit chain", maxValue: Math.Max(1, total));
            var report = await VerifyAudit.Handle(db, new Progress<long>(read => task.Value = read), ct, anchor);
            task.Value = task.MaxValue;
            return report;
        });
    }
}
