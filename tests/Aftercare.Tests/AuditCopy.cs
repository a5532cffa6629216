using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Aftercare.Tests;

/// <summary>
/// A separate database of the same provider as the test run, migrated by Aftercare's own
/// migrations, for work that must not touch the shared test database: a copy of its audit to
/// tamper with, or a database to restart against.
/// </summary>
internal sealed class AuditCopy : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string? _folder;
    private readonly string? _postgresDatabase;

    private AuditCopy(string database, string? folder, string? postgresDatabase)
    {
        Database = database;
        _folder = folder;
        _postgresDatabase = postgresDatabase;
        _services = new ServiceCollection().AddAftercareDatabase(DatabaseSettings.Parse(database)).BuildServiceProvider();
    }

    /// <summary>The --db value of the copy.</summary>
    public string Database { get; }

    public static bool IsSqlite => AftercareApplication.Provider != "postgres";

    /// <summary>An empty database, migrated to the latest migration or to <paramref name="migratedTo"/>.</summary>
    public static async Task<AuditCopy> CreateAsync(string? migratedTo = null)
    {
        AuditCopy copy;
        if (IsSqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "aftercare-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            copy = new AuditCopy(Path.Combine(folder, "copy.db"), folder, null);
        }
        else
        {
            var admin = Environment.GetEnvironmentVariable("AFTERCARE_TEST_POSTGRES")!;
            var name = $"aftercare_copy_{Guid.NewGuid():N}";
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await create.ExecuteNonQueryAsync();
            }

            copy = new AuditCopy(new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString, null, name);
        }

        await copy.Use(async db =>
        {
            await db.Database.MigrateAsync(migratedTo);
            return 0;
        });
        return copy;
    }

    /// <summary>
    /// A copy of the shared test database's audit: every event with its id, position, hashes and
    /// MAC, the app's audit key, and the checkpoint of the head Aftercare would have written.
    /// </summary>
    public static async Task<AuditCopy> OfAsync(AftercareApplication app)
    {
        var events = await app.Read(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
        var copy = await CreateAsync();
        var key = app.Services.GetRequiredService<AuditSeal>().KeyPath;
        if (Path.GetFullPath(key) != Path.GetFullPath(copy.Seal.KeyPath))
        {
            Directory.CreateDirectory(copy.Seal.KeysFolder);
            File.Copy(key, copy.Seal.KeyPath);
        }

        await copy.Use(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var e in events)
            {
                await InsertAsync(db, e, e.Id);
            }

            await transaction.CommitAsync();
            return 0;
        });
        var head = events.Where(e => e.Sequence > 0).MaxBy(e => e.Sequence);
        if (head is not null)
        {
            copy.Seal.Advance(head.Sequence, head.Hash);
        }

        return copy;
    }

    /// <summary>The copy's audit key and checkpoint, in its keys folder.</summary>
    public AuditSeal Seal => _services.GetRequiredService<AuditSeal>();

    public async Task<T> Use<T>(Func<AftercareDbContext, Task<T>> work)
    {
        await using var scope = _services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AftercareDbContext>());
    }

    public Task<VerifyAudit.Report> VerifyAsync(VerifyAudit.Anchor? anchor = null) =>
        // Small batches, so that breaks fall across batch boundaries too.
        Use(db => VerifyAudit.Handle(db, null, TestContext.Current.CancellationToken, anchor, batchSize: 7));

    /// <summary>Raw SQL on the copy, as someone with direct access to the database would run it.</summary>
    public Task Sql(string sql) => Use(db => db.Database.ExecuteSqlRawAsync(sql));

    /// <summary>What only the database's owner can do: switch off the append-only triggers.</summary>
    public Task DisableAppendOnlyAsync() => Sql(IsSqlite
        ? """DROP TRIGGER "AuditEvents_no_update"; DROP TRIGGER "AuditEvents_no_delete";"""
        : """ALTER TABLE "AuditEvents" DISABLE TRIGGER USER;""");

    /// <summary>Writes an event row as it stands, past Aftercare's sealing, as a forger would.</summary>
    public static async Task InsertAsync(AftercareDbContext db, AuditEvent e, long id, string? madeUpHash = null, string? copiedMac = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(e);
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = """
            INSERT INTO "AuditEvents" ("Id", "At", "ActorId", "Actor", "Action", "Purpose", "PersonId", "EntityId", "Sequence", "PreviousHash", "Hash", "Mac")
            VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11)
            """;
        // Stored as each provider's mapping stores them: SQLite keeps UTC ticks and upper-case Guid text.
        object at = IsSqlite ? e.At.UtcTicks : e.At;
        object? person = e.PersonId is { } p ? (IsSqlite ? p.ToString().ToUpperInvariant() : p) : null;
        object?[] values = [id, at, e.ActorId, e.Actor, e.Action.ToString(), e.Purpose, person, e.EntityId, e.Sequence, e.PreviousHash, madeUpHash ?? e.Hash, copiedMac ?? e.Mac];
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"@p{i}";
            parameter.Value = values[i] ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable("AFTERCARE_TEST_POSTGRES"));
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open is left for the OS to clean up with the temp folder.
            }
        }
    }
}
