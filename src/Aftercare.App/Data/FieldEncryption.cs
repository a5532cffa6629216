using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.App.Data;

/// <summary>
/// Encrypts clinical free text as it is saved and decrypts it as it is loaded (ADR 0009). Each
/// value is protected with the purposes "Aftercare.FieldEncryption", its table, its column and its
/// row's key, so a ciphertext moved to another row or column does not decrypt: it fails closed.
/// </summary>
public sealed class FieldEncryption(IDataProtectionProvider provider)
{
    /// <summary>Every stored ciphertext starts with this, so a value written past Aftercare in clear is told apart.</summary>
    public const string Prefix = "enc:v1:";

    private readonly IDataProtector _root = provider.CreateProtector("Aftercare.FieldEncryption");
    private readonly ConcurrentDictionary<(string Table, string Column), IDataProtector> _columns = new();

    /// <summary>The plaintext each loaded or saved entity had, to tell which changed since.</summary>
    private readonly ConditionalWeakTable<object, Dictionary<string, string?>> _known = [];

    public string? Protect(string table, string column, object key, string? plaintext) => plaintext is null
        ? null
        : Prefix + WebEncoders.Base64UrlEncode(Protector(table, column, key).Protect(Encoding.UTF8.GetBytes(plaintext)));

    public string? Unprotect(string table, string column, object key, string? stored)
    {
        if (stored is null)
        {
            return null;
        }

        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new RecordUnreadableException(table, column, "the value is not encrypted");
        }

        try
        {
            return Encoding.UTF8.GetString(Protector(table, column, key).Unprotect(WebEncoders.Base64UrlDecode(stored, Prefix.Length, stored.Length - Prefix.Length)));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            throw new RecordUnreadableException(table, column, "the ciphertext does not match this row and column, or was altered", e);
        }
    }

    private IDataProtector Protector(string table, string column, object key) =>
        _columns.GetOrAdd((table, column), c => _root.CreateProtector(c.Table, c.Column)).CreateProtector(KeyText(key));

    /// <summary>The row key as the same text on both databases (a Guid in lower case, 'D' format).</summary>
    public static string KeyText(object key) => key switch
    {
        Guid g => g.ToString("D"),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => key.ToString()!,
    };

    internal void Open(MaterializationInterceptionData materializationData, EncryptedField[] fields, object entity)
    {
        var entityType = materializationData.EntityType;
        var table = entityType.GetTableName()!;
        var key = materializationData.GetPropertyValue(entityType.FindPrimaryKey()!.Properties[0].Name)!;
        var known = _known.GetOrCreateValue(entity);
        foreach (var field in fields)
        {
            var column = ColumnOf(entityType, field);
            var plaintext = Unprotect(table, column, key, materializationData.GetPropertyValue<string?>(field.StoredName));
            field.WritePlaintext(entity, plaintext);
            known[field.StoredName] = plaintext;
        }
    }

    /// <summary>Encrypts each field added or changed since it was loaded or last saved.</summary>
    internal void Seal(DbContext db)
    {
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Deleted or EntityState.Detached)
            {
                continue;
            }

            var fields = EncryptedFields.For(entry.Metadata.ClrType);
            if (fields.Length == 0)
            {
                continue;
            }

            var known = _known.GetOrCreateValue(entry.Entity);
            foreach (var field in fields)
            {
                var plaintext = field.ReadPlaintext(entry.Entity);
                if (entry.State != EntityState.Added && known.TryGetValue(field.StoredName, out var before) && before == plaintext)
                {
                    continue;
                }

                entry.Property(field.StoredName).CurrentValue = Protect(entry.Metadata.GetTableName()!, ColumnOf(entry.Metadata, field), KeyOf(entry), plaintext);
                known[field.StoredName] = plaintext;
            }
        }
    }

    private static object KeyOf(EntityEntry entry) => entry.Property(entry.Metadata.FindPrimaryKey()!.Properties[0].Name).CurrentValue!;

    private static string ColumnOf(IReadOnlyEntityType entityType, EncryptedField field) =>
        entityType.FindProperty(field.StoredName)!.GetColumnName();

    /// <summary>Rewrites every encrypted value under the current default key (`aftercare keys reencrypt`).</summary>
    public Task<int> ReencryptAsync(AftercareDbContext db, int batchSize = 500, CancellationToken ct = default) =>
        RewriteAsync(db, batchSize, (table, column, key, stored) => Protect(table, column, key, Unprotect(table, column, key, stored))!, ct);

    private static async Task<int> RewriteAsync(
        AftercareDbContext db, int batchSize, Func<string, string, Guid, string, string> rewrite, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rewritten = 0;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var connection = db.Database.GetDbConnection();
            foreach (var field in EncryptedFields.All)
            {
                var entityType = db.Model.FindEntityType(field.EntityType)!;
                var table = entityType.GetTableName()!;
                var column = ColumnOf(entityType, field);
                var keyColumn = entityType.FindPrimaryKey()!.Properties[0].GetColumnName();
                object? after = null;
                while (true)
                {
                    // Keyset batches: each batch starts after the last key of the one before.
                    var batch = await ReadBatchAsync(connection, table, column, keyColumn, after, batchSize, ct);
                    if (batch.Count == 0)
                    {
                        break;
                    }

                    await using var transaction = await connection.BeginTransactionAsync(ct);
                    foreach (var (key, keyValue, stored) in batch)
                    {
                        await using var update = connection.CreateCommand();
                        update.Transaction = transaction;
                        update.CommandText = $"""UPDATE "{table}" SET "{column}" = @value WHERE "{keyColumn}" = @key""";
                        Add(update, "@value", rewrite(table, column, key, stored));
                        Add(update, "@key", keyValue);
                        await update.ExecuteNonQueryAsync(ct);
                    }

                    await transaction.CommitAsync(ct);
                    rewritten += batch.Count;
                    after = batch[^1].KeyValue;
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return rewritten;
    }

    private static async Task<List<(Guid Key, object KeyValue, string Stored)>> ReadBatchAsync(
        DbConnection connection, string table, string column, string keyColumn, object? after, int batchSize, CancellationToken ct)
    {
        await using var select = connection.CreateCommand();
        var from = after is null ? "" : $"""AND "{keyColumn}" > @after""";
        select.CommandText = $"""SELECT "{keyColumn}", "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL {from} ORDER BY "{keyColumn}" LIMIT {batchSize}""";
        if (after is not null)
        {
            Add(select, "@after", after);
        }

        await using var reader = await select.ExecuteReaderAsync(ct);
        var rows = new List<(Guid, object, string)>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add((reader.GetFieldValue<Guid>(0), reader.GetValue(0), reader.GetString(1)));
        }

        return rows;
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}

/// <summary>
/// Hooks <see cref="FieldEncryption"/> into saving and loading. One instance for every context, so
/// EF Core builds its internal services once; each call finds the application's own
/// <see cref="FieldEncryption"/> (its keys) through the context's application services.
/// </summary>
internal sealed class FieldEncryptionInterceptor : ISaveChangesInterceptor, IMaterializationInterceptor
{
    public static readonly FieldEncryptionInterceptor Instance = new();

    public object InitializedInstance(MaterializationInterceptionData materializationData, object entity)
    {
        var fields = EncryptedFields.For(materializationData.EntityType.ClrType);
        if (fields.Length > 0)
        {
            Of(materializationData.Context).Open(materializationData, fields, entity);
        }

        return entity;
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Of(eventData.Context!).Seal(eventData.Context!);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Of(eventData.Context!).Seal(eventData.Context!);
        return ValueTask.FromResult(result);
    }

    private static FieldEncryption Of(DbContext db) =>
        db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<FieldEncryption>()
        ?? throw new InvalidOperationException("Field encryption is not registered: use AddAftercareDatabase.");
}

/// <summary>
/// A stored value could not be decrypted: altered, moved from another row or column, or written
/// past Aftercare. The message names the table and column only, never content or the row.
/// </summary>
public sealed class RecordUnreadableException : Exception
{
    public RecordUnreadableException()
    {
    }

    public RecordUnreadableException(string message)
        : base(message)
    {
    }

    public RecordUnreadableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RecordUnreadableException(string table, string column, string why, Exception? innerException = null)
        : base($"A value in {table}.{column} could not be decrypted: {why}.", innerException)
    {
        Table = table;
        Column = column;
    }

    public string? Table { get; }

    public string? Column { get; }
}

public static class FieldEncryptionRegistration
{
    /// <summary>The folder the keys are kept in when none is configured: "keys" beside a SQLite file, or in the data folder.</summary>
    public static string DefaultKeysFolder(DatabaseSettings settings, string dataFolder)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Provider == DatabaseProvider.Sqlite
            ? Path.Combine(Path.GetDirectoryName(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.ConnectionString).DataSource)!, "keys")
            : Path.Combine(Path.GetFullPath(dataFolder), "keys");
    }

    /// <summary>
    /// ASP.NET Core Data Protection with its key ring in a folder outside the database, under a
    /// fixed application name so keys keep working across restarts and machines sharing the folder.
    /// </summary>
    /// <param name="certificate">
    /// When given, each key is encrypted with it at rest (<c>ProtectKeysWithCertificate</c>), and
    /// keys are decrypted with it without looking in a certificate store.
    /// </param>
    public static IServiceCollection AddFieldEncryption(this IServiceCollection services, string keysFolder, X509Certificate2? certificate = null)
    {
        services.AddLogging();
        // The keys decrypt every clinical note: a new folder is Aftercare's account's alone (0700;
        // Data Protection would make it 0755). Issue 17.12d.
        if (!OperatingSystem.IsWindows() && !Directory.Exists(keysFolder))
        {
            Directory.CreateDirectory(keysFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var protection = services.AddDataProtection()
            .SetApplicationName("Aftercare")
            .PersistKeysToFileSystem(new DirectoryInfo(keysFolder));
        if (certificate is not null)
        {
            protection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }

        services.AddSingleton<FieldEncryption>();
        return services;
    }
}
