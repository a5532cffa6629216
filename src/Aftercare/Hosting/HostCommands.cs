using System.CommandLine;
using Aftercare.App.Data;
using Aftercare.App.Demo;
using Aftercare.Cli;
using Aftercare.Domain.Users;
using Spectre.Console;

namespace Aftercare.Hosting;

/// <summary>`aftercare serve`, `migrate` and `seed`: start the web app, prepare its database, seed the demo.</summary>
public static class HostCommands
{
    public static Command Serve(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var demo = new Option<bool>("--demo") { Description = "Use a separate demo database with clearly synthetic people, and print the demo users' sign-in details." };
        var urls = new Option<string>("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => AftercareCommands.DefaultUrls };
        var noMigrate = new Option<bool>("--no-migrate") { Description = "Do not apply database migrations at start-up (run `aftercare migrate` yourself)." };
        var command = new Command("serve", "Serve Aftercare on the web.") { demo, urls, cli.Db, noMigrate };
        command.SetAction(async (parse, ct) =>
        {
            var settings = cli.Host(parse, mustExist: false, demo: parse.GetValue(demo));
            settings.Overrides["urls"] = parse.GetValue(urls);
            await using var app = Program.BuildWebApp(settings);
            var options = app.Services.GetRequiredService<AftercareOptions>();
            var database = app.Services.GetRequiredService<DatabaseSettings>();
            var seeded = await cli.Console.Status().StartAsync("Preparing the database…", _ =>
                DatabasePreparation.PrepareAsync(app, migrate: options.MigrateOnStart && !parse.GetValue(noMigrate), settings.Demo, ct));

            cli.Console.MarkupLine($"[bold]Aftercare[/] on {Markup.Escape(database.Describe())}");
            if (seeded is not null)
            {
                // Plain lines: Spectre would wrap them at the terminal's width in mid-sentence.
                cli.Out.WriteLine("Demo users (synthetic data; passwords and authenticator keys are new at each start):");
                PrintDemoUsers(cli, seeded.Users);
                cli.Out.WriteLine("Each sign-in asks for the password, then a 6-digit code from the key:");
                cli.Out.WriteLine("add the key to any authenticator app, or run: oathtool --totp -b KEY");
                cli.Out.WriteLine("(Debian: apt-get install oathtool). Each code works once.");
            }
            else if (!await AnyUserAsync(app))
            {
                cli.Console.MarkupLine("No users yet. Create the first administrator with:");
                cli.Console.MarkupLine("  [bold]aftercare users add --email you@example.org --role administrator[/]");
            }

            cli.Console.MarkupLine($"Sign in at [link]{Markup.Escape(parse.GetValue(urls)!.Split(';')[0])}/signin[/]  (Ctrl+C stops)");
            try
            {
                await app.StartAsync(ct);
            }
            catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // Stopped (SIGTERM, Ctrl+C) while still starting: what has started stops as it would
                // at any other time, the outbox worker finishing or releasing the message it is sending.
            }

            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    public static Command Migrate(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var command = new Command("migrate", "Apply database migrations, then exit.") { cli.Db };
        command.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(cli.Host(parse, mustExist: false));
            var database = app.Services.GetRequiredService<DatabaseSettings>();
            await cli.Console.Status().StartAsync($"Migrating {Markup.Escape(database.Describe())}…", _ => DatabasePreparation.PrepareAsync(app, migrate: true, demo: false, ct));
            cli.Console.MarkupLine($"Database is up to date: {Markup.Escape(database.Describe())}");
            return 0;
        });
        return command;
    }

    public static Command Seed(CliContext cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var demo = new Option<bool>("--demo") { Description = "Seed the synthetic demo data (the only seeding there is)." };
        var command = new Command("seed", "Seed data into a database.") { demo, cli.Db };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(demo))
            {
                result.AddError("seed needs --demo: the only data Aftercare seeds is the synthetic demo set.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            await using var app = Program.BuildWebApp(cli.Host(parse, demo: true));
            var seeded = await DatabasePreparation.PrepareAsync(app, migrate: true, demo: true, ct);
            cli.Out.WriteLine($"Seeded {seeded!.People} synthetic people with {seeded.Presentations} presentations.");
            PrintDemoUsers(cli, seeded.Users);

            return 0;
        });
        return command;
    }

    private static void PrintDemoUsers(CliContext cli, IEnumerable<DemoData.DemoUser> users)
    {
        // Plain aligned lines, not a table: emails and keys must stay whole to be copied.
        cli.Out.WriteLine($"  {"Role",-22} {"Email",-42} {"Password",-24} Authenticator key");
        foreach (var user in users)
        {
            cli.Out.WriteLine($"  {Roles.Describe(user.Role),-22} {user.Email,-42} {user.Password,-24} {user.AuthenticatorKey}");
        }
    }

    private static async Task<bool> AnyUserAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return scope.ServiceProvider.GetRequiredService<AftercareDbContext>().Users.Any();
    }
}
