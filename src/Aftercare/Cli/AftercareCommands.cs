using System.CommandLine;
using Aftercare.App;
using Aftercare.App.Audit;
using Aftercare.Domain;
using Aftercare.App.Data;
using Aftercare.App.Mortality;
using Aftercare.App.Users;
using Aftercare.Domain.Users;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace Aftercare.Cli;

/// <summary>The commands of the `aftercare` binary. Each prints what it did and exits non-zero on failure.</summary>
public static class AftercareCommands
{
    public const string DefaultUrls = "http://127.0.0.1:5000";

    private static readonly Option<string?> Db = new("--db")
    {
        Description = "A SQLite file path or a PostgreSQL connection string (Host=...). Relative paths are from the folder you are in. Default: data/aftercare.db there, or the Aftercare:Database setting. Except for serve and migrate, the database must exist.",
    };

    public static RootCommand Create()
    {
        var root = new RootCommand("Aftercare: care after self-harm. Assessment, plans, aftercare contacts and handoffs, on one database.");
        root.Subcommands.Add(Serve());
        root.Subcommands.Add(Migrate());
        root.Subcommands.Add(Users());
        root.Subcommands.Add(Seed());
        root.Subcommands.Add(Clients());
        root.Subcommands.Add(AuditCommands());
        root.Subcommands.Add(Keys());
        root.Subcommands.Add(EvaluateCommand.Create(Db));
        root.Subcommands.Add(Deaths());
        root.Subcommands.Add(Registry());
        return root;
    }

    private static Command Serve()
    {
        var demo = new Option<bool>("--demo") { Description = "Use a separate demo database with clearly synthetic people, and print the demo users' sign-in details." };
        var urls = new Option<string>("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => DefaultUrls };
        var noMigrate = new Option<bool>("--no-migrate") { Description = "Do not apply database migrations at start-up (run `aftercare migrate` yourself)." };
        var command = new Command("serve", "Serve Aftercare on the web.") { demo, urls, Db, noMigrate };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new HostSettings
            {
                Database = parse.GetValue(Db),
                Demo = parse.GetValue(demo),
                Overrides = { ["urls"] = parse.GetValue(urls) },
            };
            var app = Program.BuildWebApp(settings);
            var options = app.Services.GetRequiredService<AftercareOptions>();
            var database = app.Services.GetRequiredService<DatabaseSettings>();
            var seeded = await AnsiConsole.Status().StartAsync("Preparing the database…", _ =>
                DatabasePreparation.PrepareAsync(app, migrate: options.MigrateOnStart && !parse.GetValue(noMigrate), settings.Demo, ct));

            AnsiConsole.MarkupLine($"[bold]Aftercare[/] on {Markup.Escape(database.Describe())}");
            if (seeded is not null)
            {
                // Plain lines: Spectre would wrap them at the terminal's width in mid-sentence.
                Console.WriteLine("Demo users (synthetic data; passwords and authenticator keys are new at each start):");
                PrintDemoUsers(seeded.Users);
                Console.WriteLine("Each sign-in asks for the password, then a 6-digit code from the key:");
                Console.WriteLine("add the key to any authenticator app, or run: oathtool --totp -b KEY");
                Console.WriteLine("(Debian: apt-get install oathtool). Each code works once.");
            }
            else if (!await AnyUserAsync(app))
            {
                AnsiConsole.MarkupLine("No users yet. Create the first administrator with:");
                AnsiConsole.MarkupLine("  [bold]aftercare users add --email you@example.org --role administrator[/]");
            }

            AnsiConsole.MarkupLine($"Sign in at [link]{Markup.Escape(parse.GetValue(urls)!.Split(';')[0])}/signin[/]  (Ctrl+C stops)");
            await app.RunAsync(ct);
            return 0;
        });
        return command;
    }

    private static Command Migrate()
    {
        var command = new Command("migrate", "Apply database migrations, then exit.") { Db };
        command.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(new HostSettings { Database = parse.GetValue(Db) });
            var database = app.Services.GetRequiredService<DatabaseSettings>();
            await AnsiConsole.Status().StartAsync($"Migrating {Markup.Escape(database.Describe())}…", _ => DatabasePreparation.PrepareAsync(app, migrate: true, demo: false, ct));
            AnsiConsole.MarkupLine($"Database is up to date: {Markup.Escape(database.Describe())}");
            return 0;
        });
        return command;
    }

    private static Command Users()
    {
        var email = new Option<string>("--email") { Description = "The user's email address; they sign in with it.", Required = true };
        var role = new Option<string>("--role") { Description = $"One of: {string.Join(", ", Roles.All)}.", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var name = new Option<string?>("--name") { Description = "The name shown in the application." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input instead of generating a one-time password." };
        var sites = new Option<string[]>("--site") { Description = "A site (team) the user works at, by code; repeat for more. People who presented there are in their care (need-to-know)." };
        var add = new Command("add", "Add a user. Without --password-stdin a one-time password is printed and must be changed at first sign-in.")
        {
            email, role, name, passwordStdin, sites, Db,
        };
        add.SetAction(async (parse, ct) =>
        {
            string? password = null;
            if (parse.GetValue(passwordStdin))
            {
                password = (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n');
                if (string.IsNullOrEmpty(password))
                {
                    await Console.Error.WriteLineAsync("No password was read from standard input.");
                    return 2;
                }
            }

            await using var app = Program.BuildWebApp(new HostSettings { Database = parse.GetValue(Db), MustExist = true });
            await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false, ct);
            await using var scope = app.Services.CreateAsyncScope();
            var s = scope.ServiceProvider;
            var result = await AddUser.Handle(
                s.GetRequiredService<UserManager<AftercareUser>>(), s.GetRequiredService<RoleManager<IdentityRole>>(),
                s.GetRequiredService<AftercareDbContext>(), s.GetRequiredService<TimeProvider>(), Actor.System,
                new AddUser.Command(parse.GetValue(email)!, parse.GetValue(role)!, parse.GetValue(name), password, parse.GetValue(sites) ?? []));
            if (!result.IsSuccess)
            {
                foreach (var error in result.Errors)
                {
                    await Console.Error.WriteLineAsync($"--{error.Field}: {error.Message}");
                }

                return 1;
            }

            var added = result.Value;
            Console.WriteLine($"Added {added.Email} as {Roles.Describe(added.Role)}.");
            if (added.Sites.Count > 0)
            {
                Console.WriteLine($"Works at: {string.Join(", ", added.Sites)}.");
            }
            else if (Roles.DirectCare.Split(',').Contains(added.Role))
            {
                Console.WriteLine("No site given: they see only people assigned to them, or whose record they open in an emergency (break glass).");
            }
            if (added.GeneratedPassword is not null)
            {
                Console.WriteLine($"One-time password: {added.GeneratedPassword}");
                Console.WriteLine("It must be changed at first sign-in. It is not stored anywhere readable; note it now.");
            }

            return 0;
        });
        var users = new Command("users", "Manage the people who sign in.")
        {
            add,
            UserChange("disable", "Disable a user: they cannot sign in, and a session they have ends within a minute.", email, null,
                (s, actor) => DisableUser.Handle(s.Users, s.Db, s.Clock, actor, s.Email, disable: true), id => "Disabled."),
            UserChange("enable", "Enable a disabled user again.", email, null,
                (s, actor) => DisableUser.Handle(s.Users, s.Db, s.Clock, actor, s.Email, disable: false), id => "Enabled."),
            UserChange("set-role", "Give a user this role in place of any others. A session they have ends within a minute.", email, role,
                (s, actor) => ChangeRole.Set(s.Users, s.Db, s.Clock, actor, s.Email, s.Role!), roles => $"Roles now: {string.Join(", ", roles)}."),
            UserChange("remove-role", "Take a role away from a user. A session they have ends within a minute.", email, role,
                (s, actor) => ChangeRole.Remove(s.Users, s.Db, s.Clock, actor, s.Email, s.Role!), roles => roles.Count == 0 ? "Roles now: none." : $"Roles now: {string.Join(", ", roles)}."),
            UserChange("reset-authenticator", "For a lost phone: the old authenticator stops working; at next sign-in they set up an app again.", email, null,
                (s, actor) => ResetAuthenticator.Handle(s.Users, s.Db, s.Clock, actor, s.Email), id => "Authenticator reset: they set up an app at their next sign-in."),
        };
        return users;
    }

    private sealed record UserServices(UserManager<AftercareUser> Users, AftercareDbContext Db, TimeProvider Clock, string Email, string? Role);

    /// <summary>A users subcommand that changes one account by email (and, for some, a role), prints what it did.</summary>
    private static Command UserChange<T>(
        string name, string description, Option<string> email, Option<string>? role,
        Func<UserServices, Actor, Task<Result<T>>> change, Func<T, string> done)
    {
        var command = new Command(name, description) { email, Db };
        if (role is not null)
        {
            command.Options.Add(role);
        }

        command.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(new HostSettings { Database = parse.GetValue(Db), MustExist = true });
            await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false, ct);
            await using var scope = app.Services.CreateAsyncScope();
            var s = scope.ServiceProvider;
            var result = await change(
                new UserServices(s.GetRequiredService<UserManager<AftercareUser>>(), s.GetRequiredService<AftercareDbContext>(), s.GetRequiredService<TimeProvider>(),
                    parse.GetValue(email)!, role is null ? null : parse.GetValue(role)),
                Actor.System);
            if (!result.IsSuccess)
            {
                foreach (var error in result.Errors)
                {
                    await Console.Error.WriteLineAsync($"--{error.Field}: {error.Message}");
                }

                return 1;
            }

            Console.WriteLine($"{parse.GetValue(email)}: {done(result.Value)}");
            return 0;
        });
        return command;
    }

    private static void PrintDemoUsers(IEnumerable<Aftercare.App.Demo.DemoData.DemoUser> users)
    {
        // Plain aligned lines, not a table: emails and keys must stay whole to be copied.
        Console.WriteLine($"  {"Role",-22} {"Email",-42} {"Password",-24} Authenticator key");
        foreach (var user in users)
        {
            Console.WriteLine($"  {Roles.Describe(user.Role),-22} {user.Email,-42} {user.Password,-24} {user.AuthenticatorKey}");
        }
    }

    private static Command Seed()
    {
        var demo = new Option<bool>("--demo") { Description = "Seed the synthetic demo data (the only seeding there is)." };
        var command = new Command("seed", "Seed data into a database.") { demo, Db };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(demo))
            {
                result.AddError("seed needs --demo: the only data Aftercare seeds is the synthetic demo set.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(new HostSettings { Database = parse.GetValue(Db), Demo = true, MustExist = true });
            var seeded = await DatabasePreparation.PrepareAsync(app, migrate: true, demo: true, ct);
            Console.WriteLine($"Seeded {seeded!.People} synthetic people with {seeded.Presentations} presentations.");
            PrintDemoUsers(seeded.Users);

            return 0;
        });
        return command;
    }

    private static Command Clients()
    {
        var clientId = new Option<string>("--client-id") { Description = "The client's id, as it will send it.", Required = true };
        var role = new Option<string>("--role") { Description = "Backend services: the role the client acts in (clinician, aftercare-worker or therapist)." };
        var jwks = new Option<FileInfo>("--jwks-file") { Description = "Backend services: the client's public JSON Web Key Set, for private_key_jwt." };
        var redirect = new Option<string[]>("--redirect-uri") { Description = "User-facing apps (SMART App Launch): where the app receives its code. Repeat for more than one.", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string>("--name") { Description = "User-facing apps: the name people see when asked to allow it." };
        var scopes = new Option<string>("--scopes") { Description = "Space-separated. Backend: system/*.read, system/*.write, system/*.*. Apps: launch/patient, patient/*.read, user/*.read, user/*.write, user/*.* (and v2 spellings)." };
        var add = new Command("add", "Register a SMART client: a backend service (--jwks-file, --role) or a user-facing app (--redirect-uri).") { clientId, role, jwks, redirect, name, scopes, Db };
        add.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(jwks);
            var redirects = parse.GetValue(redirect) ?? [];
            if ((file is null) == (redirects.Length == 0))
            {
                await Console.Error.WriteLineAsync("Give either --jwks-file and --role (a backend service) or --redirect-uri (a user-facing app).");
                return 1;
            }

            if (file is { Exists: false })
            {
                await Console.Error.WriteLineAsync($"--jwks-file: {file.FullName} was not found.");
                return 1;
            }

            await using var app = Program.BuildWebApp(new HostSettings { Database = parse.GetValue(Db), MustExist = true });
            await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false, ct);
            await using var scope = app.Services.CreateAsyncScope();
            var applications = scope.ServiceProvider.GetRequiredService<OpenIddict.Abstractions.IOpenIddictApplicationManager>();
            var result = file is not null
                ? await Aftercare.Smart.RegisterClient.Handle(applications, parse.GetValue(clientId)!, parse.GetValue(role) ?? "",
                    await File.ReadAllTextAsync(file.FullName, ct), (parse.GetValue(scopes) ?? "system/*.read").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                : await Aftercare.Smart.RegisterClient.HandleApp(applications, parse.GetValue(clientId)!, parse.GetValue(name), redirects,
                    (parse.GetValue(scopes) ?? "launch/patient patient/*.read").Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (!result.IsSuccess)
            {
                foreach (var error in result.Errors)
                {
                    await Console.Error.WriteLineAsync($"--{error.Field}: {error.Message}");
                }

                return 1;
            }

            Console.WriteLine(file is not null
                ? $"Registered client {result.Value}. It asks for tokens at /connect/token with a client assertion signed by its private key."
                : $"Registered app {result.Value}. It sends people to /connect/authorize (authorization code with PKCE, S256) and exchanges the code at /connect/token.");
            return 0;
        });
        return new Command("clients", "Manage SMART on FHIR clients.") { add };
    }

    private static Command AuditCommands()
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
        var verify = new Command("verify", "Check the audit's hash chain: report any event modified, deleted, inserted or reordered, and the last good one. Exits 0 when intact.") { expect, Db };
        verify.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(new HostSettings { Database = parse.GetValue(Db), MustExist = true });
            var database = app.Services.GetRequiredService<DatabaseSettings>();
            if (database.Provider == DatabaseProvider.Sqlite && !File.Exists(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource))
            {
                await Console.Error.WriteLineAsync($"There is no database at {database.Describe()}.");
                return 2;
            }

            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
            if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
            {
                await Console.Error.WriteLineAsync($"{database.Describe()} is not up to date: run `aftercare migrate` first, then verify.");
                return 2;
            }

            var seal = app.Services.GetRequiredService<AuditSeal>();
            if (!seal.KeyExists && await db.AuditEvents.AnyAsync(ct))
            {
                await Console.Error.WriteLineAsync($"The audit key is not in the keys folder {seal.KeysFolder}: without it no event's MAC can be checked. Give this database's keys folder (Aftercare:DataProtection:KeysFolder).");
                return 2;
            }

            var anchor = VerifyAudit.Anchor.TryParse(parse.GetValue(expect), out var kept) ? kept : null;
            var report = await VerifyWithProgressAsync(db, anchor, ct);
            Console.WriteLine($"Checked {report.Checked} of {Words.Count((int)Math.Min(report.Total, int.MaxValue), "audit event")} on {database.Describe()}.");
            if (report.Checkpoint is { } checkpoint)
            {
                Console.WriteLine($"Checked against the checkpoint of the chain's head in the keys folder (position {checkpoint}).");
            }

            if (report.LastGood is { } good)
            {
                Console.WriteLine($"Last good event: position {good.Position}, id {good.Id}, at {good.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z.");
            }

            if (report.Broken is { } broken)
            {
                await Console.Error.WriteLineAsync($"{AuditWords.Verdict(report)} {broken.Explanation}");
                return 1;
            }

            Console.WriteLine(AuditWords.Verdict(report));
            if (report.LastGood is { } head)
            {
                Console.WriteLine($"To check later that nothing up to here is cut or rebuilt, keep this away from the database: --expect {head.Position}:{head.Hash}");
            }

            return 0;
        });
        return new Command("audit", "Check the audit.") { verify };
    }

    private static Command Keys()
    {
        var rotate = new Command("rotate", "Create a new encryption key and make it the default for new data. Earlier keys are kept and still decrypt older data. Restart running servers to use it at once.") { Db };
        rotate.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(new HostSettings { Database = parse.GetValue(Db), MustExist = true });
            var key = KeyRing.Rotate(
                app.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.KeyManagement.IKeyManager>(),
                app.Services.GetRequiredService<TimeProvider>());
            var folder = HostSettings.ResolveKeysFolder(app.Configuration, app.Services.GetRequiredService<DatabaseSettings>());
            Console.WriteLine($"New key {key.KeyId} is the default from {key.ActivationDate.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z until {key.ExpirationDate.UtcDateTime:yyyy-MM-dd}.");
            Console.WriteLine($"Keys folder: {folder}. Back it up with the database: data written under any key in it needs that key to be read.");
            await Task.CompletedTask;
            return 0;
        });
        var reencrypt = new Command("reencrypt", "Rewrite every encrypted value under the current default key (after `keys rotate`, e.g. before retiring an old key).") { Db };
        reencrypt.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(new HostSettings { Database = parse.GetValue(Db), MustExist = true });
            await DatabasePreparation.PrepareAsync(app, migrate: false, demo: false, ct);
            await using var scope = app.Services.CreateAsyncScope();
            var count = await app.Services.GetRequiredService<FieldEncryption>().ReencryptAsync(scope.ServiceProvider.GetRequiredService<AftercareDbContext>(), ct: ct);
            Console.WriteLine($"Re-encrypted {count} values under the current key.");
            return 0;
        });
        return new Command("keys", "Manage the keys that encrypt clinical free text at rest.") { rotate, reencrypt };
    }

    private static Command Registry()
    {
        var output = new Option<FileInfo>("--out") { Description = "Where to write the CSV.", Required = true };
        var from = new Option<string?>("--from") { Description = "First month, as 2026-01 (default: 12 months before --to)." };
        var to = new Option<string?>("--to") { Description = "Last month, as 2026-12 (default: this month)." };
        var export = new Command("export", "Write a de-identified CSV of presentations for a national registry: months not dates, no ids or free text, rare combinations coarsened (docs/measures.md).") { output, from, to, Db };
        export.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(new HostSettings { Database = parse.GetValue(Db), MustExist = true });
            await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false, ct);
            await using var scope = app.Services.CreateAsyncScope();
            var s = scope.ServiceProvider;
            var (filter, _, problems) = new Aftercare.Measures.MeasuresQuery(parse.GetValue(from), parse.GetValue(to), null, null, null, null, null)
                .Parse(s.GetRequiredService<TimeProvider>().GetUtcNow(), s.GetRequiredService<LocalTime>());
            if (problems.Count > 0)
            {
                await Console.Error.WriteLineAsync(string.Join(" ", problems));
                return 2;
            }

            var result = await Aftercare.App.Measures.RegistryExport.Handle(s.GetRequiredService<AftercareDbContext>(), s.GetRequiredService<TimeProvider>(), s.GetRequiredService<LocalTime>(),
                Actor.System, filter.From, filter.To, s.GetRequiredService<Aftercare.App.Measures.MeasuresOptions>().SuppressBelow, ct);
            var file = parse.GetValue(output)!;
            await File.WriteAllTextAsync(file.FullName, result.Csv, ct);
            Console.WriteLine($"Wrote {result.Rows} presentations ({filter.From:yyyy-MM} to {filter.To:yyyy-MM}) to {file.Name}: {result.Coarsened} coarsened, {result.LeftOut} left out as too rare to publish.");
            return 0;
        });
        return new Command("registry", "Exports for national registries.") { export };
    }

    private static Command Deaths()
    {
        var file = new Argument<FileInfo>("FILE") { Description = $"A CSV file whose first line names the columns {ImportDeaths.Columns} (see docs/measures.md)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the file and report matched, unmatched and conflicting rows; write nothing." };
        var import = new Command("import", "Link deaths from mortality data. All or nothing: any conflicting row and nothing is written. Prints line numbers and counts, never identifiers.") { file, dryRun, Db };
        import.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"FILE: {path.Name} was not found.");
                return 2;
            }

            await using var app = Program.BuildWebApp(new HostSettings { Database = parse.GetValue(Db), MustExist = true });
            await DatabasePreparation.PrepareAsync(app, migrate: true, demo: false, ct);
            await using var scope = app.Services.CreateAsyncScope();
            var s = scope.ServiceProvider;
            // Whoever runs the binary holds the database's credentials: an administrator (docs/measures.md).
            var result = await ImportDeaths.Handle(s.GetRequiredService<AftercareDbContext>(), s.GetRequiredService<TimeProvider>(), s.GetRequiredService<LocalTime>(),
                Actor.System, path.Name, await File.ReadAllBytesAsync(path.FullName, ct), parse.GetValue(dryRun), ct);
            if (!result.IsSuccess)
            {
                foreach (var error in result.Errors)
                {
                    await Console.Error.WriteLineAsync($"{path.Name}: {error.Message}");
                }

                return 2;
            }

            var report = result.Value;
            Console.WriteLine($"{report.SourceFile} (sha256 {report.SourceHash[..12]}…): {Words.Count(report.Lines.Count, "row")}.");
            Console.WriteLine($"  matched: {report.Count(ImportDeaths.Outcome.Matched)}");
            Console.WriteLine($"  already present: {report.Count(ImportDeaths.Outcome.AlreadyPresent)}");
            Console.WriteLine($"  unmatched: {report.Count(ImportDeaths.Outcome.Unmatched)}");
            Console.WriteLine($"  conflicting: {report.Count(ImportDeaths.Outcome.Conflict)}");
            foreach (var line in report.Lines.Where(l => l.Outcome is ImportDeaths.Outcome.Conflict or ImportDeaths.Outcome.Unmatched or ImportDeaths.Outcome.AlreadyPresent))
            {
                Console.WriteLine($"line {line.Number}: {line.Note}");
            }

            if (report.HasConflicts)
            {
                Console.WriteLine(report.DryRun
                    ? "Dry run: nothing was written. An import of this file would write nothing until the conflicting lines are put right."
                    : "Nothing was written: put the conflicting lines right and import the file again.");
                return 1;
            }

            Console.WriteLine(report.DryRun
                ? $"Dry run: nothing was written. An import would record {Words.Count(report.Count(ImportDeaths.Outcome.Matched), "death")}."
                : report.Written == 0 ? "Nothing new to record." : $"Recorded {Words.Count(report.Written, "death")}.");
            return 0;
        });
        return new Command("deaths", "Mortality linkage: deaths from a CSV file (administrators).") { import };
    }

    private static async Task<VerifyAudit.Report> VerifyWithProgressAsync(AftercareDbContext db, VerifyAudit.Anchor? anchor, CancellationToken ct)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await VerifyAudit.Handle(db, null, ct, anchor);
        }

        var total = await db.AuditEvents.LongCountAsync(ct);
        return await AnsiConsole.Progress().StartAsync(async context =>
        {
            var task = context.AddTask("Verifying the audit chain", maxValue: Math.Max(1, total));
            var report = await VerifyAudit.Handle(db, new Progress<long>(read => task.Value = read), ct, anchor);
            task.Value = task.MaxValue;
            return report;
        });
    }

    private static async Task<bool> AnyUserAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return scope.ServiceProvider.GetRequiredService<AftercareDbContext>().Users.Any();
    }
}
