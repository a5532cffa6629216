using System.CommandLine;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Cli;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace Aftercare.Audit;

/// <summary>
/// `aftercare audit verify`: check the audit's hash chain (from the newest archive's anchor, if
/// months were archived), optionally against a head kept away from the database, or check an
/// archive file on its own. `aftercare audit archive`: move whole months out to a file (ADR 0017).
/// </summary>
public static class AuditCommands
{
    /// <summary>Bad input or a state the command cannot work in: nothing was changed.</summary>
    private const int Refused = 2;

    public static Command Create(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        return new Command("audit", "Check the audit, or archive months long past.") { Verify(cli), Archive(cli) };
    }

    private static Command Verify(CliContext cli)
    {
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
        var archive = new Option<FileInfo?>("--archive")
        {
            Description = "An archive file written by `aftercare audit archive`: checks it on its own (its chain and MACs, with the keys folder), and that it joins its anchor in the database when --db is given.",
        };
        var keys = new Option<string?>("--keys")
        {
            Description = "With --archive and no --db: the keys folder holding the audit key (default: the Aftercare:DataProtection:KeysFolder setting).",
        };
        var verify = new Command("verify", "Check the audit's hash chain: report any event modified, deleted, inserted or reordered, and the last good one. Exits 0 when intact.") { expect, archive, keys, cli.Db };
        verify.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(archive) is { } file)
            {
                return await VerifyArchiveAsync(cli, parse, file, parse.GetValue(keys), ct);
            }

            return await OnAuditAsync(cli, parse, async (app, db, database) =>
            {
                var anchor = VerifyAudit.Anchor.TryParse(parse.GetValue(expect), out var kept) ? kept : null;
                var report = await VerifyWithProgressAsync(cli, db, anchor, ct);
                cli.Out.WriteLine($"Checked {report.Checked} of {Words.Count((int)Math.Min(report.Total, int.MaxValue), "audit event")} on {database.Describe()}.");
                if (report.Archive is { } archived)
                {
                    cli.Out.WriteLine($"Started from the archive anchor: {archived.FromMonth} to {archived.ToMonth} archived on {archived.ArchivedAt.UtcDateTime:yyyy-MM-dd} ({archived.Archive}); the chain left follows on from position {archived.HeadPosition}.");
                    if (anchor is not null && anchor.Position <= archived.HeadPosition)
                    {
                        cli.Out.WriteLine($"--expect {anchor.Position} is in the archive, not the database: check it with `aftercare audit verify --archive FILE`.");
                    }
                }

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

                if (report.LastGood is { Archived: true } archivedGood)
                {
                    cli.Out.WriteLine($"Last good event: position {archivedGood.Position}, in the archive.");
                }
                else if (report.LastGood is { } good)
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
        });
        return verify;
    }

    private static Command Archive(CliContext cli)
    {
        var before = new Option<string>("--before") { Description = "YYYY-MM: every whole UTC month before this one is archived. At most last month: the current month is refused.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "The archive file to write (gzip'd JSON lines, ADR 0017); must not exist. Keep it, and the keys folder, as long as the audit must be kept.", Required = true };
        var command = new Command("archive", "Move whole months of the audit long past to a file: verifies the chain first, writes and checks the file, records the anchor the rest starts from, then removes the months from the database. Run with the tables' owner on PostgreSQL.") { before, output, cli.Db };
        command.SetAction(async (parse, ct) => await OnAuditAsync(cli, parse, async (app, db, database) =>
        {
            var file = parse.GetValue(output)!.FullName;
            var outcome = await cli.Step("Archiving the audit", () => ArchiveAudit.Handle(db, app.Services.GetRequiredService<TimeProvider>(), parse.GetValue(before), file, ct));
            if (outcome.Refused is { } refused)
            {
                await cli.Error.WriteLineAsync(refused);
                return Refused;
            }

            var a = outcome.Anchor!;
            cli.Out.WriteLine($"Archived {Words.Count((int)Math.Min(a.Events, int.MaxValue), "audit event")} of {a.FromMonth} to {a.ToMonth} (positions {a.FirstPosition} to {a.LastPosition}) from {database.Describe()} to {file}.");
            cli.Out.WriteLine($"SHA-256 of the file: {a.FileSha256}. Archive {a.Archive}.");
            if (outcome.Partitions is { Count: > 0 } dropped)
            {
                cli.Out.WriteLine($"Detached and dropped {string.Join(", ", dropped)}.");
            }

            cli.Out.WriteLine($"The chain left in the database follows on from position {a.HeadPosition}; `aftercare audit verify` starts there. Check the file at any time with `aftercare audit verify --archive {file}`.");
            return 0;
        }));
        return command;
    }

    /// <summary>The database, up to date, with its audit key: what both commands need before their own part (exit 2 if not).</summary>
    private static async Task<int> OnAuditAsync(CliContext cli, ParseResult parse, Func<WebApplication, AftercareDbContext, DatabaseSettings, Task<int>> work)
    {
        await using var app = Program.BuildWebApp(cli.Host(parse));
        var database = app.Services.GetRequiredService<DatabaseSettings>();
        if (database.Provider == DatabaseProvider.Sqlite && !File.Exists(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource))
        {
            await cli.Error.WriteLineAsync($"There is no database at {database.Describe()}.");
            return Refused;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        if ((await db.Database.GetPendingMigrationsAsync()).Any())
        {
            await cli.Error.WriteLineAsync($"{database.Describe()} is not up to date: run `aftercare migrate` first.");
            return Refused;
        }

        var seal = app.Services.GetRequiredService<AuditSeal>();
        if (!seal.KeyExists && await db.AuditEvents.AnyAsync())
        {
            await cli.Error.WriteLineAsync($"The audit key is not in the keys folder {seal.KeysFolder}: without it no event's MAC can be checked. Give this database's keys folder (Aftercare:DataProtection:KeysFolder).");
            return Refused;
        }

        return await work(app, db, database);
    }

    /// <summary>An archive file on its own, with the keys folder; and, given a database, that it joins its anchor there.</summary>
    private static async Task<int> VerifyArchiveAsync(CliContext cli, ParseResult parse, FileInfo file, string? keys, CancellationToken ct)
    {
        if (!file.Exists)
        {
            await cli.Error.WriteLineAsync($"--archive: there is no file at {file.FullName}.");
            return Refused;
        }

        if (parse.GetValue(cli.Db) is null)
        {
            var folder = keys ?? cli.Setting("Aftercare:DataProtection:KeysFolder");
            if (string.IsNullOrWhiteSpace(folder))
            {
                await cli.Error.WriteLineAsync("--archive with no --db needs the keys folder that holds the audit key: give --keys FOLDER.");
                return Refused;
            }

            var seal = new AuditSeal(Path.GetFullPath(folder), "archive", Microsoft.Extensions.Logging.Abstractions.NullLogger<AuditSeal>.Instance);
            if (!seal.KeyExists)
            {
                await cli.Error.WriteLineAsync($"The audit key is not in the keys folder {seal.KeysFolder}: without it the archive's MACs cannot be checked.");
                return Refused;
            }

            return await ReportArchiveAsync(cli, file, await AuditArchiveFile.VerifyAsync(file.FullName, seal, ct), null);
        }

        return await OnAuditAsync(cli, parse, async (app, db, database) =>
        {
            var seal = app.Services.GetRequiredService<AuditSeal>();
            var report = await AuditArchiveFile.VerifyAsync(file.FullName, seal, ct);
            var joins = report.IsIntact ? await AuditArchiveFile.JoinsAsync(db, seal, report, ct) : null;
            return await ReportArchiveAsync(cli, file, report, joins is null ? database.Describe() : null, joins);
        });
    }

    private static async Task<int> ReportArchiveAsync(CliContext cli, FileInfo file, AuditArchiveFile.FileReport report, string? joined, string? joinProblem = null)
    {
        if ((report.Problem ?? joinProblem) is { } problem)
        {
            await cli.Error.WriteLineAsync($"The archive {file.FullName} is broken: {problem}");
            return 1;
        }

        var h = report.Header!;
        cli.Out.WriteLine($"The archive {file.FullName} is intact: {Words.Count((int)Math.Min(report.Events, int.MaxValue), "event")} of {h.FromMonth} to {h.ToMonth} checked (positions {h.FirstPosition} to {h.LastPosition}), each hash and MAC and the chain within it.");
        cli.Out.WriteLine(joined is null
            ? "Not checked against a database: give --db to check that it joins its anchor there."
            : $"It joins its anchor in {joined} (archive {h.Archive}, SHA-256 {report.Sha256}).");
        return 0;
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
