using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.App.Demo;
using Aftercare.Hosting;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Aftercare.Tests;

/// <summary>
/// One migrated, seeded database per provider and test process, copied for each
/// <see cref="AftercareApplication"/> instead of a migrate-and-seed per test class (issue 12.6).
/// SQLite: the file and its Data Protection keys are copied into the class's own folder.
/// PostgreSQL: each class's database is <c>CREATE DATABASE … TEMPLATE aftercare_template_RUN</c>.
/// The template holds no audit events, so nothing in a copy was sealed with another key: each copy
/// makes its own audit MAC key at its first start (on SQLite; on PostgreSQL every test database
/// shares the ./data/keys folder, as before), and its own chain from position 1.
/// </summary>
internal static class TemplateDatabase
{
    private static readonly Lazy<Task<Template>> Sqlite = new(MakeSqliteAsync);
    private static readonly Lazy<Task<Template>> Postgres = new(MakePostgresAsync);

    /// <summary>What a copy needs: where the template is, and the demo users seeded in it with their passwords and keys.</summary>
    internal sealed record Template(string Database, string? KeysFolder, IReadOnlyList<DemoData.DemoUser> Users);

    /// <summary>The template of this provider, made at the first call in this process (callers in parallel wait for the one).</summary>
    public static Task<Template> Of(string provider) => (provider == "postgres" ? Postgres : Sqlite).Value;

    /// <summary>A copy of the SQLite template at <paramref name="file"/>, with its Data Protection keys in a "keys" folder beside it (the default place).</summary>
    public static async Task<Template> CopySqliteAsync(string file)
    {
        var template = await Of("sqlite");
        // File.Copy keeps the template's owner-only permissions (0600). The template was closed
        // with every connection, so its WAL was checkpointed into the file.
        File.Copy(template.Database, file);
        var keys = Path.Combine(Path.GetDirectoryName(file)!, "keys");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(keys);
        }
        else
        {
            Directory.CreateDirectory(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        foreach (var key in Directory.GetFiles(template.KeysFolder!).Where(f => !IsAuditFile(f)))
        {
            File.Copy(key, Path.Combine(keys, Path.GetFileName(key)));
        }

        return template;
    }

    /// <summary>A new database <paramref name="name"/> copied from the PostgreSQL template.</summary>
    public static async Task<Template> CopyPostgresAsync(string admin, string name)
    {
        var template = await Of("postgres");
        var from = new NpgsqlConnectionStringBuilder(template.Database).Database;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\" TEMPLATE \"{from}\"");
                return template;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 10)
            {
                // A backend of the template's preparation still closing: PostgreSQL copies a database no one is connected to.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    private static bool IsAuditFile(string path) =>
        Path.GetFileName(path) == AuditSeal.KeyFileName || Path.GetFileName(path).StartsWith("audit-head-", StringComparison.Ordinal);

    private static async Task<Template> MakeSqliteAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "aftercare-tests", $"template-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean up with the temp folder.
            }
        };
        var file = Path.Combine(folder, "aftercare.db");
        var users = await PrepareAsync(file);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return new Template(file, Path.Combine(folder, "keys"), users);
    }

    private static async Task<Template> MakePostgresAsync()
    {
        var admin = AftercareApplication.PostgresAdmin;
        var name = $"aftercare_template_{Guid.NewGuid():N}";
        await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").GetAwaiter().GetResult();
        // Not pooled: no connection may stay open on a template while it is copied.
        var database = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false }.ConnectionString;
        var users = await PrepareAsync(database);
        return new Template(database, null, users);
    }

    /// <summary>Migrates and seeds the demo into the template with the test host's settings, then closes it.</summary>
    private static async Task<IReadOnlyList<DemoData.DemoUser>> PrepareAsync(string database)
    {
        await using var app = Program.BuildWebApp(AftercareApplication.Settings(database, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(AftercareApplication.Now), [], null));
        var seeded = await DatabasePreparation.PrepareAsync(app, migrate: true, demo: true);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var audited = await scope.ServiceProvider.GetRequiredService<AftercareDbContext>().AuditEvents.CountAsync();
            if (audited > 0)
            {
                throw new InvalidOperationException(
                    $"The template database holds {audited} audit events: each copy would carry a chain sealed with the template's key. Seed without auditing, or copy the key and checkpoint too.");
            }
        }

        return seeded!.Users;
    }

    private static async Task ExecuteAsync(string admin, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
