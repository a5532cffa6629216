using System.CommandLine;
using Aftercare.Domain;
using Aftercare.Hosting;
using Spectre.Console;

namespace Aftercare.Cli;

/// <summary>
/// What every command is given: where it writes and reads (the process's console, or a test's
/// writers), the --db option they share, and the settings the app starts with. No command touches
/// the static Console or AnsiConsole, so a test drives the same commands in its own process.
/// </summary>
public sealed class CliContext
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public CliContext(TextWriter output, TextWriter error, TextReader input, IAnsiConsole console, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Out = output;
        Error = error;
        In = input;
        Console = console;
        _settings = settings ?? new Dictionary<string, string?>();
    }

    /// <summary>Standard output: what the command did.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error: what went wrong.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard input (users add --password-stdin).</summary>
    public TextReader In { get; }

    /// <summary>Spinners, progress and markup, on standard output.</summary>
    public IAnsiConsole Console { get; }

    public Option<string?> Db { get; } = new("--db")
    {
        Description = "A SQLite file path or a PostgreSQL connection string (Host=...). Relative paths are from the folder you are in. Default: data/aftercare.db there, or the Aftercare:Database setting. Except for serve and migrate, the database must exist.",
    };

    /// <summary>A setting the CLI was given, else from the environment (Aftercare__DataProtection__KeysFolder), for a command that starts no app.</summary>
    public string? Setting(string key) =>
        _settings.TryGetValue(key, out var value) && value is not null ? value : Environment.GetEnvironmentVariable(key.Replace(":", "__", StringComparison.Ordinal));

    /// <summary>How to start the app for this command: its --db, and the settings the CLI was given (tests: log levels, a pathway file).</summary>
    public HostSettings Host(ParseResult parse, bool mustExist = true, bool demo = false)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var host = new HostSettings { Database = parse.GetValue(Db), MustExist = mustExist, Demo = demo };
        foreach (var (key, value) in _settings)
        {
            host.Overrides[key] = value;
        }

        return host;
    }

    /// <summary>
    /// Starts the app on an existing database, prepares it (migrating unless told not to) and runs
    /// the work in one scope: what most commands do before their own part.
    /// </summary>
    public async Task<int> OnDatabaseAsync(ParseResult parse, Func<WebApplication, IServiceProvider, Task<int>> work, bool migrate = true, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var app = Program.BuildWebApp(Host(parse));
        await DatabasePreparation.PrepareAsync(app, migrate, demo: false, ct);
        await using var scope = app.Services.CreateAsyncScope();
        return await work(app, scope.ServiceProvider);
    }

    /// <summary>Each error on its own line of standard error, as "--field: message" (the option to put right), then exit 1.</summary>
    public async Task<int> FailAsync(IEnumerable<Error> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var error in errors)
        {
            await Error.WriteLineAsync($"--{error.Field}: {error.Message}");
        }

        return 1;
    }

    /// <summary>A spinner with the step's name on a terminal; nothing extra when output is redirected.</summary>
    public Task<T> Step<T>(string what, Func<Task<T>> work) =>
        Console.Profile.Capabilities.Interactive ? Console.Status().StartAsync(what, _ => work()) : work();
}
