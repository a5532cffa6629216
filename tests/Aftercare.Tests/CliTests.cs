using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Aftercare.Cli;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// The `aftercare` commands against the test database, run in this process through the same
/// <see cref="AftercareCommands.RunAsync"/> the binary's entry point calls, with its output captured.
/// One test (the README's registry export) runs the real binary, so the entry point stays proven.
/// </summary>
public sealed partial class CliTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    /// <summary>As the spawned binary had them in its environment: only warnings logged.</summary>
    private static readonly Dictionary<string, string?> Settings = new() { ["Logging:LogLevel:Default"] = "Warning" };

    internal static Task<(int Code, string Out, string Err)> Aftercare(string? stdin, params string[] args) => AftercareWith(Settings, stdin, args);

    /// <summary>With configuration the app starts with, as environment variables would give it (e.g. Aftercare:PathwaysFile).</summary>
    internal static async Task<(int Code, string Out, string Err)> AftercareWith(IReadOnlyDictionary<string, string?> settings, string? stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin is null ? "" : stdin + Environment.NewLine);
        var all = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var code = await AftercareCommands.RunAsync(args, output, error, input, all);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The real binary, `dotnet aftercare.dll`, as a separate process started in <paramref name="folder"/>.</summary>
    private static async Task<(int Code, string Out, string Err)> AftercareProcess(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = folder,
            Environment = { ["DOTNET_NOLOGO"] = "1", ["Logging__LogLevel__Default"] = "Warning" },
        };
        if (AftercareApplication.Provider == "postgres")
        {
            // On PostgreSQL the keys (and the audit's key and checkpoints) are in ./data/keys of the
            // test run, not of the binary's folder: the CLI must use the same ones as the app.
            start.Environment["Aftercare__DataProtection__KeysFolder"] = Path.GetFullPath(Path.Combine("data", "keys"));
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "aftercare.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Wrong_arguments_print_what_is_wrong_and_exit_non_zero()
    {
        var noRole = await Aftercare(null, "users", "add", "--email", "someone@example.org");
        Assert.NotEqual(0, noRole.Code);
        Assert.Contains("--role", noRole.Err, StringComparison.Ordinal);

        var badRole = await Aftercare(null, "users", "add", "--email", "someone@example.org", "--role", "wizard", "--db", app.Database);
        Assert.NotEqual(0, badRole.Code);
        Assert.Contains("wizard", badRole.Err, StringComparison.Ordinal);

        var seed = await Aftercare(null, "seed", "--db", app.Database);
        Assert.NotEqual(0, seed.Code);
        Assert.Contains("seed needs --demo", seed.Err, StringComparison.Ordinal);

        var badEmail = await Aftercare(null, "users", "add", "--email", "not an email", "--role", "clinician", "--db", app.Database);
        Assert.NotEqual(0, badEmail.Code);
        Assert.Contains("--email", badEmail.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_db_that_is_not_there_is_an_error_naming_the_path_from_the_current_folder_not_a_new_empty_database()
    {
        var folder = Directory.CreateTempSubdirectory("aftercare-cli-").FullName;
        var csv = Path.Combine(folder, "registry.csv");
        var missing = await AftercareProcess(folder, "registry", "export", "--out", csv, "--db", "data/aftercare-demo.db");
        Assert.NotEqual(0, missing.Code);
        Assert.Contains($"aftercare: there is no database at {Path.Combine(folder, "data", "aftercare-demo.db")}", missing.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrote", missing.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "data", "aftercare-demo.db")));
        Assert.False(File.Exists(csv));

        if (AftercareApplication.Provider == "sqlite")
        {
            // A relative --db that is there is read from the current folder.
            var here = await AftercareProcess(Path.GetDirectoryName(app.Database)!, "registry", "export", "--out", csv, "--db", Path.GetFileName(app.Database));
            Assert.True(here.Code == 0, here.Err);
            Assert.StartsWith("Wrote ", here.Out, StringComparison.Ordinal);
            Assert.True(File.Exists(csv));
        }
    }

    [Fact]
    public async Task Users_add_prints_a_one_time_password_that_must_be_changed_at_first_sign_in()
    {
        var email = $"new-clinician-{Guid.NewGuid():N}@example.org";
        var added = await Aftercare(null, "users", "add", "--email", email, "--role", "clinician", "--name", "Dr Example", "--db", app.Database);
        Assert.True(added.Code == 0, added.Err);
        var password = OneTimePassword().Match(added.Out).Groups[1].Value;
        Assert.NotEmpty(password);

        var client = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, email, password)).StatusCode);
        Assert.True(await app.Read(db => db.Users.Where(u => u.Email == email).Select(u => u.MustChangePassword).SingleAsync()));
        // Until they choose their own password, every page leads to the password page and the API refuses.
        Assert.Equal("/account/password", (await client.GetAsync("people")).Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("api/people/search", new { identifierKind = "Mrn", identifier = "DEMO0001" })).StatusCode);

        var again = await Aftercare(null, "users", "add", "--email", email, "--role", "clinician", "--db", app.Database);
        Assert.NotEqual(0, again.Code);
        Assert.Contains("already exists", again.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_add_reads_a_password_from_standard_input()
    {
        var email = $"admin-{Guid.NewGuid():N}@example.org";
        const string password = "Correct-Horse-42-Battery";
        var added = await Aftercare(password, "users", "add", "--email", email, "--role", "administrator", "--password-stdin", "--db", app.Database);
        Assert.True(added.Code == 0, added.Err);
        Assert.DoesNotContain("One-time password", added.Out, StringComparison.Ordinal);
        var client = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, email, password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/audit")).StatusCode);
    }

    [Fact]
    public async Task Users_disable_set_role_and_remove_role_change_an_account_and_end_its_session()
    {
        var email = $"worker-{Guid.NewGuid():N}@example.org";
        const string password = "Correct-Horse-42-Battery";
        Assert.Equal(0, (await Aftercare(password, "users", "add", "--email", email, "--role", "aftercare-worker", "--password-stdin", "--db", app.Database)).Code);

        var setRole = await Aftercare(null, "users", "set-role", "--email", email, "--role", "therapist", "--db", app.Database);
        Assert.True(setRole.Code == 0, setRole.Err);
        Assert.Contains("Roles now: therapist.", setRole.Out, StringComparison.Ordinal);
        var removeRole = await Aftercare(null, "users", "remove-role", "--email", email, "--role", "therapist", "--db", app.Database);
        Assert.Contains("Roles now: none.", removeRole.Out, StringComparison.Ordinal);

        var client = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, email, password)).StatusCode);
        var disabled = await Aftercare(null, "users", "disable", "--email", email, "--db", app.Database);
        Assert.True(disabled.Code == 0, disabled.Err);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.SignInAsync(app.AnonymousClient(), email, password)).StatusCode);

        var unknown = await Aftercare(null, "users", "disable", "--email", "nobody@example.org", "--db", app.Database);
        Assert.NotEqual(0, unknown.Code);
        Assert.Contains("--email", unknown.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clients_add_registers_a_SMART_backend_client_from_its_public_key_set()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var file = Path.Combine(Path.GetTempPath(), $"jwks-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, System.Text.Json.JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", kid = "k1", use = "sig", n = B64(p.Modulus!), e = B64(p.Exponent!) } } }));
        try
        {
            var clientId = $"cli-{Guid.NewGuid():N}";
            var added = await Aftercare(null, "clients", "add", "--client-id", clientId, "--role", "clinician", "--jwks-file", file, "--scopes", "system/*.read system/*.write", "--db", app.Database);
            Assert.True(added.Code == 0, added.Err);
            Assert.Contains($"Registered client {clientId}", added.Out, StringComparison.Ordinal);
            var again = await Aftercare(null, "clients", "add", "--client-id", clientId, "--role", "clinician", "--jwks-file", file, "--db", app.Database);
            Assert.NotEqual(0, again.Code);
            Assert.Contains("exists already", again.Err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex("One-time password: (\\S+)")]
    private static partial Regex OneTimePassword();
}
