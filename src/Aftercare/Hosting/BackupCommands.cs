using System.CommandLine;
using Aftercare.App.Data;
using Aftercare.Cli;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Hosting;

/// <summary>`aftercare backup --out FILE` and `aftercare restore FILE`: the database and its keys in one file (<see cref="Backup"/>).</summary>
public static class BackupCommands
{
    public static Command Backup(CliContext cli) => Create(cli)[0];

    public static Command Restore(CliContext cli) => Create(cli)[1];

    private static Command[] Create(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var output = new Option<string>("--out") { Description = "The backup file to write (it must not exist yet).", Required = true };
        var backup = new Command("backup", "Back up the database and its keys folder into one file, while the server runs. The passphrase that encrypts the keys is read from standard input (at least 12 characters); keep it apart from the file.") { output, cli.Db };
        backup.SetAction(async (parse, ct) =>
        {
            if (await PassphraseAsync(cli) is not { } passphrase)
            {
                return 1;
            }

            await using var app = Program.BuildWebApp(cli.Host(parse));
            var database = app.Services.GetRequiredService<DatabaseSettings>();
            var keys = HostSettings.ResolveKeysFolder(app.Configuration, database);
            await using var scope = app.Services.CreateAsyncScope();
            var last = (await scope.ServiceProvider.GetRequiredService<AftercareDbContext>().Database.GetAppliedMigrationsAsync(ct)).LastOrDefault();
            var file = Path.GetFullPath(parse.GetValue(output)!);
            try
            {
                var manifest = await cli.Step("Backing up", () => Hosting.Backup.CreateAsync(database, keys, last, passphrase, file, app.Services.GetRequiredService<TimeProvider>().GetUtcNow(), ct));
                cli.Out.WriteLine($"Backed up {database.Describe()} (migration {manifest.LastMigration ?? "none"}) and {App.Words.Count(manifest.KeyFiles, "key file")} from {keys} to {file}.");
                cli.Out.WriteLine("The file is readable by you only. Keep the passphrase apart from it: without it the clinical text cannot be read.");
                return 0;
            }
            catch (Hosting.Backup.BackupException e)
            {
                await cli.Error.WriteLineAsync("aftercare backup: " + e.Message);
                return 1;
            }
        });

        var from = new Argument<string>("FILE") { Description = "A file written by `aftercare backup`." };
        var restore = new Command("restore", "Restore a backup into a new SQLite file or an empty PostgreSQL database (--db), and its keys into the keys folder; nothing existing is overwritten. The passphrase is read from standard input. Then run `aftercare audit verify`.") { from, cli.Db };
        restore.SetAction(async (parse, ct) =>
        {
            if (await PassphraseAsync(cli) is not { } passphrase)
            {
                return 1;
            }

            var host = cli.Host(parse, mustExist: false);
            await using var app = Program.BuildWebApp(host);
            var database = app.Services.GetRequiredService<DatabaseSettings>();
            var keys = HostSettings.ResolveKeysFolder(app.Configuration, database);
            try
            {
                var manifest = await cli.Step("Restoring", () => Hosting.Backup.RestoreAsync(Path.GetFullPath(parse.GetValue(from)!), passphrase, database, keys, app.Services.GetRequiredService<ILoggerFactory>(), ct));
                cli.Out.WriteLine($"Restored the backup of {manifest.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z (migration {manifest.LastMigration ?? "none"}) into {database.Describe()}, and {App.Words.Count(manifest.KeyFiles, "key file")} into {keys}.");
                cli.Out.WriteLine("Next: `aftercare audit verify` on it, then `aftercare serve` (it applies any newer migrations).");
                return 0;
            }
            catch (Hosting.Backup.BackupException e)
            {
                await cli.Error.WriteLineAsync("aftercare restore: " + e.Message);
                return 1;
            }
        });
        return [backup, restore];
    }

    private static async Task<string?> PassphraseAsync(CliContext cli)
    {
        var passphrase = (await cli.In.ReadLineAsync())?.TrimEnd('\r', '\n');
        if (passphrase is null || passphrase.Length < Hosting.Backup.MinimumPassphraseLength)
        {
            await cli.Error.WriteLineAsync($"Give a passphrase of at least {Hosting.Backup.MinimumPassphraseLength} characters on standard input (e.g. `aftercare backup --out FILE < passphrase.txt`).");
            return null;
        }

        return passphrase;
    }
}
