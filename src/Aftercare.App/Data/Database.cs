using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.App.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Which database, from one string: a PostgreSQL connection string (it has Host=) or the path of
/// a SQLite file. SQLite is the default so that Aftercare starts with no set-up.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public static DatabaseSettings Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var trimmed = value.Trim();
        if (trimmed.Contains("Host=", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new DatabaseSettings(DatabaseProvider.Postgres, trimmed);
        }

        var full = SqliteFile(trimmed)!;
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={full};Pooling=True;Default Timeout=30");
    }

    /// <summary>
    /// The full path of the SQLite file a value names (relative paths are from the current
    /// folder), or null for a PostgreSQL connection string.
    /// </summary>
    public static string? SqliteFile(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var trimmed = value.Trim();
        if (trimmed.Contains("Host=", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var path = trimmed.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase)
            ? trimmed["Data Source=".Length..].Split(';')[0]
            : trimmed;
        return Path.GetFullPath(path);
    }

    /// <summary>
    /// Which database this is, the same however the string is spelled: the SQLite file's full path,
    /// or PostgreSQL's host, port and database name. Names the audit checkpoint (ADR 0012).
    /// </summary>
    public string Identity()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            return "sqlite:" + Path.GetFullPath(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString).DataSource);
        }

        var postgres = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgres:{postgres.Host?.ToLowerInvariant()}:{postgres.Port}/{postgres.Database ?? postgres.Username}";
    }

    /// <summary>Where the database lives, for a person to read; a PostgreSQL password is never shown.</summary>
    public string Describe() => Provider == DatabaseProvider.Sqlite
        ? $"SQLite file {ConnectionString.Split(';')[0]["Data Source=".Length..]}"
        : "PostgreSQL " + string.Join(";", ConnectionString.Split(';')
            .Where(part => !part.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase)));
}

public static class DatabaseRegistration
{
    /// <summary>
    /// The database, with clinical free text encrypted at rest under keys kept in
    /// <paramref name="keysFolder"/> (by default a "keys" folder beside the SQLite file, or in ./data).
    /// </summary>
    public static IServiceCollection AddAftercareDatabase(
        this IServiceCollection services, DatabaseSettings settings, string? keysFolder = null, System.Security.Cryptography.X509Certificates.X509Certificate2? keyCertificate = null,
        string? standby = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        var keys = keysFolder ?? FieldEncryptionRegistration.DefaultKeysFolder(settings, "data");
        services.AddFieldEncryption(keys, keyCertificate);
        services.AddSingleton(new KeysFolder(keys));
        // The audit's MAC key and head checkpoint live beside the Data Protection keys (ADR 0012).
        services.AddSingleton(s => new Audit.AuditSeal(keys, settings.Identity(), s.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Audit.AuditSeal>>()));
        services.AddSingleton<Audit.AuditBatcher>();
        if (string.IsNullOrWhiteSpace(standby))
        {
            services.AddSingleton(new StaleReads(null));
        }
        else
        {
            if (settings.Provider != DatabaseProvider.Postgres)
            {
                throw new InvalidOperationException("Aftercare:StandbyDatabase is a PostgreSQL streaming standby; the database here is SQLite, which has none. Remove the setting, or use PostgreSQL.");
            }

            services.AddSingleton(sp =>
            {
                var options = new DbContextOptionsBuilder<PostgresAftercareDbContext>().UseApplicationServiceProvider(sp)
                    .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
                ConfigurePostgres(options, standby, clinicalWork: false).AddInterceptors(FieldEncryptionInterceptor.Instance, Telemetry.CommandTimingInterceptor.Instance);
                var built = options.Options;
                return new StaleReads(() => new PostgresAftercareDbContext(built));
            });
        }

        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            services.AddDbContext<AftercareDbContext, SqliteAftercareDbContext>(o =>
                ConfigureSqlite(o, settings.ConnectionString).AddInterceptors(FieldEncryptionInterceptor.Instance, Audit.AuditCheckpointInterceptor.Instance, Telemetry.CommandTimingInterceptor.Instance));
        }
        else
        {
            services.AddDbContext<AftercareDbContext, PostgresAftercareDbContext>(o =>
                ConfigurePostgres(o, settings.ConnectionString).AddInterceptors(FieldEncryptionInterceptor.Instance, Audit.AuditCheckpointInterceptor.Instance, Telemetry.CommandTimingInterceptor.Instance));
        }

        return services;
    }

    internal static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance);

    /// <summary>
    /// PostgreSQL through Npgsql. For the clinical work on the primary (<paramref name="clinicalWork"/>),
    /// the session runs without PostgreSQL's JIT unless the connection string sets <c>jit</c> itself:
    /// measured at national scale (docs/performance.md), a worklist query that runs in 1.3 ms was
    /// estimated above <c>jit_above_cost</c> (it cannot know a care team is 40 people) and spent
    /// 70 ms compiling 38 functions, on every request. JIT pays only for long analytic scans; those
    /// (the dashboard, the evaluation, exports) read from the standby when there is one, which keeps
    /// the server's setting.
    /// </summary>
    /// <remarks>
    /// The clinical work's statements are also prepared once per connection and kept
    /// (<see cref="WithAutoPrepare"/>), so that the same few queries of every page are not parsed and
    /// planned afresh on each request: measured at national scale, the caseload's worklist query went
    /// from p50 3.1 ms to 1.3 ms, the worklist page's p99 from 22.6 ms to 19.9 ms
    /// (docs/performance.md, 2026-12-07).
    /// </remarks>
    internal static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder options, string connectionString, bool clinicalWork = true) =>
        options.UseNpgsql(clinicalWork ? WithAutoPrepare(WithoutJit(connectionString)) : connectionString).AddInterceptors(PostgresFailover.Instance);

    /// <summary>The statements the app runs this often and more are kept prepared on each pooled connection.</summary>
    public const int AutoPreparedStatements = 64;

    /// <summary>
    /// The connection string with Npgsql's automatic preparation on (<c>Max Auto Prepare</c>
    /// <see cref="AutoPreparedStatements"/>, after two uses), unless it sets <c>Max Auto Prepare</c>
    /// itself (an operator behind a pooler in transaction mode, which cannot keep prepared statements,
    /// sets it to 0).
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            return connectionString;
        }

        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = AutoPreparedStatements, AutoPrepareMinUsages = 2 };
        return builder.ConnectionString;
    }

    /// <summary>The connection string with <c>-c jit=off</c> added to its Options, unless it sets jit itself.</summary>
    public static string WithoutJit(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("jit", StringComparison.OrdinalIgnoreCase) == true)
        {
            return connectionString;
        }

        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? "-c jit=off" : builder.Options + " -c jit=off";
        return builder.ConnectionString;
    }

    /// <summary>Applies pending migrations of whichever provider is configured (creating a SQLite file first, owner-only).</summary>
    public static Task MigrateAsync(this AftercareDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.IsSqlite())
        {
            CreateOwnerOnly(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource);
        }

        return db.Database.MigrateAsync(ct);
    }

    /// <summary>
    /// A new database file is readable by Aftercare's account only (0600), not by everyone on the
    /// machine as SQLite's default would leave it (0644; issue 17.12d). SQLite gives its -wal and
    /// -shm files the database file's permissions.
    /// </summary>
    internal static void CreateOwnerOnly(string file)
    {
        if (OperatingSystem.IsWindows() || File.Exists(file))
        {
            return;
        }

        try
        {
            using var created = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(file))
        {
            // Another process created it first: it chose its permissions.
            return;
        }

        // Made a database now (WAL writes its header): EF Core looks for an existing database
        // read-only, and a read-only connection cannot switch an empty file to WAL.
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

}

/// <summary>
/// A reply of success means the write is durable: WAL with synchronous=FULL fsyncs each commit.
/// busy_timeout lets a second writer wait instead of failing at once.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    private const string Pragmas =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Lets `dotnet ef migrations add` build the SQLite model (design time only).</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAftercareDbContext>
{
    public SqliteAftercareDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteAftercareDbContext>();
        DatabaseRegistration.ConfigureSqlite(options, "Data Source=design-time.db");
        return new SqliteAftercareDbContext(options.Options);
    }
}

/// <summary>Lets `dotnet ef migrations add` build the PostgreSQL model (design time only; no server needed).</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAftercareDbContext>
{
    public PostgresAftercareDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresAftercareDbContext>();
        DatabaseRegistration.ConfigurePostgres(options, "Host=localhost;Database=aftercare_design");
        return new PostgresAftercareDbContext(options.Options);
    }
}

/// <summary>
/// After a failover (issue 16) every pooled connection to the old primary is dead, and each would fail
/// one request before it was thrown away. On the first command that fails because its server went
/// away, or because it reached a server that is no longer the primary, the whole pool is cleared, so
/// only the requests in flight at that moment fail (unacknowledged) and the next ones connect to the
/// new primary, which Npgsql finds among the hosts with <c>Target Session Attributes=primary</c>.
/// </summary>
internal sealed class PostgresFailover : DbCommandInterceptor
{
    public static readonly PostgresFailover Instance = new();

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => ClearIfGone(command, eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ClearIfGone(command, eventData.Exception);
        return Task.CompletedTask;
    }

    private static void ClearIfGone(DbCommand command, Exception exception)
    {
        var gone = exception switch
        {
            // 57P01..57P03: the server is shutting down or cannot take connections; 25006: it is read-only (a standby now).
            Npgsql.PostgresException p => p.SqlState is "57P01" or "57P02" or "57P03" or "25006",
            Npgsql.NpgsqlException n => n.InnerException is IOException or System.Net.Sockets.SocketException || n.IsTransient,
            _ => false,
        };
        if (gone && command.Connection is Npgsql.NpgsqlConnection connection)
        {
            Npgsql.NpgsqlConnection.ClearPool(connection);
        }
    }
}
