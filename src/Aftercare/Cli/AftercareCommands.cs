using System.CommandLine;
using Aftercare.Audit;
using Aftercare.Hosting;
using Aftercare.Measures;
using Aftercare.Mortality;
using Aftercare.Smart;
using Aftercare.Users;
using Spectre.Console;

namespace Aftercare.Cli;

/// <summary>
/// The `aftercare` binary: each feature defines its own commands (a *Commands.cs file in its
/// folder); this composes them, in the order `--help` lists them, and runs one. The real entry
/// point and the tests call the same <see cref="RunAsync"/>.
/// </summary>
public static class AftercareCommands
{
    public const string DefaultUrls = "http://127.0.0.1:5000";

    /// <summary>Every feature's commands, in the order help shows them.</summary>
    private static readonly Func<CliContext, Command>[] Features =
    [
        HostCommands.Serve,
        HostCommands.Migrate,
        UserCommands.Create,
        HostCommands.Seed,
        ClientCommands.Create,
        AuditCommands.Create,
        KeyCommands.Create,
        BackupCommands.Backup,
        BackupCommands.Restore,
        EvaluateCommand.Create,
        DeathCommands.Create,
        RegistryCommands.Create,
    ];

    public static RootCommand Create(CliContext cli)
    {
        var root = new RootCommand("Aftercare: care after self-harm. Assessment, plans, aftercare contacts and handoffs, on one database.");
        foreach (var feature in Features)
        {
            root.Subcommands.Add(feature(cli));
        }

        return root;
    }

    /// <summary>
    /// Runs one command line: output to <paramref name="stdout"/>, errors to <paramref name="stderr"/>,
    /// and the exit code back. The process's own console gets Spectre's terminal detection; any other
    /// writer is plain text. <paramref name="settings"/> are configuration the app starts with, as
    /// environment variables would be (tests: log levels, a pathway file).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader? stdin = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var console = ReferenceEquals(stdout, Console.Out)
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(stdout),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
        var cli = new CliContext(stdout, stderr, stdin ?? TextReader.Null, console, settings);
        try
        {
            // `serve` leaves SIGTERM and Ctrl+C to the host, which stops within its shutdown timeout
            // (the outbox worker finishing or releasing its message); System.CommandLine would end the
            // process 2 seconds after the signal, whatever was being sent (issue 16).
            var serve = args.Length > 0 && args[0] == "serve";
            var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            if (serve)
            {
                invocation.ProcessTerminationTimeout = null;
            }

            return await Create(cli).Parse(args).InvokeAsync(invocation);
        }
        catch (Aftercare.App.Programme.PathwayFileException e)
        {
            await stderr.WriteLineAsync("aftercare will not start: " + e.Message);
            return 1;
        }
        catch (DatabaseNotFoundException e)
        {
            await stderr.WriteLineAsync("aftercare: " + e.Message);
            return 1;
        }
        catch (SettingsException e)
        {
            await stderr.WriteLineAsync("aftercare will not start: " + e.Message);
            return 1;
        }
    }
}
