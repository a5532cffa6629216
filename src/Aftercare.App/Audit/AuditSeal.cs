using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aftercare.App.Audit;

/// <summary>
/// What the database's users cannot reach (ADR 0012): the key that signs each audit event's hash
/// (HMAC-SHA256), and a checkpoint of the chain's head (position, hash and MAC), both kept in the
/// keys folder beside the Data Protection keys. With them, verification finds an event forged with
/// a correctly computed hash, a chain rebuilt from a changed event, and events cut from its end or
/// an emptied table, with no head kept by hand.
/// </summary>
public sealed partial class AuditSeal(string keysFolder, string database, ILogger<AuditSeal> logger)
{
    public const string KeyFileName = "audit-mac.key";

    private readonly Lock _writing = new();
    private byte[]? _key;
    private long _written;

    // The newest committed head not yet written, and whether a committer is writing (see Committed).
    private readonly Lock _noting = new();
    private (long Position, string Hash) _noted;
    private int _writer;

    public string KeysFolder { get; } = keysFolder;

    public string KeyPath => Path.Combine(KeysFolder, KeyFileName);

    /// <summary>One checkpoint per database: several databases (a demo and a real one) may share a keys folder.</summary>
    public string CheckpointPath { get; } = Path.Combine(keysFolder, $"audit-head-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(database)))[..16]}.json");

    public bool KeyExists => File.Exists(KeyPath);

    /// <summary>The MAC of an event's chain hash.</summary>
    public string Mac(string hash) => Sign($"aftercare-audit-mac-v1\n{hash}");

    public bool MacMatches(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Mac is { } mac && FixedTimeEquals(mac, Mac(e.Hash));
    }

    /// <summary>
    /// The MAC of an archive's anchor or its file's header (ADR 0017): text that starts with its
    /// own version tag, so it can never be taken for an event's MAC.
    /// </summary>
    public string ArchiveMac(string signedText)
    {
        ArgumentException.ThrowIfNullOrEmpty(signedText);
        if (!signedText.StartsWith("aftercare-audit-archive", StringComparison.Ordinal))
        {
            throw new ArgumentException("An archive's MAC covers text tagged as an archive's.", nameof(signedText));
        }

        return Sign(signedText);
    }

    public bool ArchiveMacMatches(string signedText, string? mac) => mac is not null && FixedTimeEquals(mac, ArchiveMac(signedText));

    /// <summary>The head last written, or null when there is none for this database.</summary>
    public Checkpoint? ReadCheckpoint()
    {
        if (!File.Exists(CheckpointPath))
        {
            return null;
        }

        try
        {
            var stored = JsonSerializer.Deserialize<StoredCheckpoint>(File.ReadAllText(CheckpointPath));
            return stored is null ? new Checkpoint(0, "", Genuine: false)
                : new Checkpoint(stored.Position, stored.Hash, FixedTimeEquals(stored.Mac, CheckpointMac(stored.Position, stored.Hash)));
        }
        catch (JsonException)
        {
            return new Checkpoint(0, "", Genuine: false);
        }
    }

    /// <summary>
    /// Moves the checkpoint on to an event whose transaction has committed. Never backwards within
    /// a process; written to a temporary file, flushed and renamed, so it is whole or not at all.
    /// </summary>
    public void Advance(long position, string hash)
    {
        lock (_writing)
        {
            if (position <= _written)
            {
                return;
            }

            if (_written == 0 && ReadCheckpoint() is { Genuine: true } existing && existing.Position >= position)
            {
                _written = existing.Position;
                return;
            }

            var json = JsonSerializer.SerializeToUtf8Bytes(new StoredCheckpoint(position, hash, CheckpointMac(position, hash)));
            WriteWhole(CheckpointPath, json, overwrite: true);
            _written = position;
        }
    }

    /// <summary>Creates the key on first start: 32 random bytes, readable by Aftercare's account only.</summary>
    public void EnsureKey() => _ = Key();

    private string CheckpointMac(long position, string hash) =>
        Sign(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"aftercare-audit-checkpoint-v1\n{Path.GetFileName(CheckpointPath)}\n{position}\n{hash}"));

    private string Sign(string text) => Convert.ToHexStringLower(HMACSHA256.HashData(Key(), Encoding.UTF8.GetBytes(text)));

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    private byte[] Key()
    {
        if (_key is { } loaded)
        {
            return loaded;
        }

        lock (_writing)
        {
            if (_key is null)
            {
                if (!File.Exists(KeyPath))
                {
                    // Another process may create it at the same moment: the first rename wins, and both read that one.
                    WriteWhole(KeyPath, Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))), overwrite: false);
                }

                var key = Convert.FromBase64String(File.ReadAllText(KeyPath).Trim());
                if (key.Length < 32)
                {
                    throw new InvalidOperationException($"The audit key {KeyPath} is not a key Aftercare wrote.");
                }

                _key = key;
            }

            return _key;
        }
    }

    private void WriteWhole(string path, byte[] content, bool overwrite)
    {
        Directory.CreateDirectory(KeysFolder);
        KeysFolderFiles.WriteWhole(path, content, overwrite);
    }

    /// <summary>
    /// Called once a transaction that sealed events has committed. Writing the checkpoint flushes a
    /// file to the disk; if every commit did it in turn, concurrent commits would queue behind one
    /// another's flushes (issue 16: the reads' group commits and the intake at 32 clients). So
    /// commits combine: the first writes; one that arrives while a write is under way notes its
    /// head and returns, and the writer, when its flush is done, writes the newest head noted. The
    /// checkpoint is never more than one write behind the newest commit, and only ever names a
    /// committed event (a true prefix of the chain, ADR 0012). Uncontended, a commit writes its own.
    /// </summary>
    internal void Committed(long position, string hash)
    {
        lock (_noting)
        {
            if (position > _noted.Position)
            {
                _noted = (position, hash);
            }
        }

        // A noted head may arrive just after the writer's last look but before it lets go: look again once let go.
        while (Newer() is not null)
        {
            if (Interlocked.CompareExchange(ref _writer, 1, 0) != 0)
            {
                return;
            }

            try
            {
                while (Newer() is { } next)
                {
                    Advance(next.Position, next.Hash);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The events are committed; the checkpoint stays where it was (still a true prefix), and an operator is told.
                LogCheckpointFailed(logger, e.GetType().Name, CheckpointPath);
                return;
            }
            finally
            {
                Volatile.Write(ref _writer, 0);
            }
        }
    }

    private (long Position, string Hash)? Newer()
    {
        lock (_noting)
        {
            return _noted.Position > Volatile.Read(ref _written) ? _noted : null;
        }
    }

    /// <summary>The application's seal, through the context's application services (as field encryption is found).</summary>
    public static AuditSeal Of(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<AuditSeal>()
            ?? throw new InvalidOperationException("The audit seal is not registered: use AddAftercareDatabase.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit checkpoint could not be written ({ExceptionType}) to {Path}")]
    private static partial void LogCheckpointFailed(ILogger logger, string exceptionType, string path);

    private sealed record StoredCheckpoint(long Position, string Hash, string Mac);

    /// <summary>The chain's head as last written; <see cref="Genuine"/> is false when the file was altered.</summary>
    public sealed record Checkpoint(long Position, string Hash, bool Genuine);
}

/// <summary>
/// Moves the audit checkpoint on when a transaction that sealed audit events commits, and never
/// for one rolled back: the checkpoint only ever names an event that is in the database.
/// </summary>
internal sealed class AuditCheckpointInterceptor : DbTransactionInterceptor
{
    public static readonly AuditCheckpointInterceptor Instance = new();

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Advance(eventData.Context);
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Advance(eventData.Context);
        return Task.CompletedTask;
    }

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        (eventData.Context as AftercareDbContext)?.TakeSealedHead();
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        (eventData.Context as AftercareDbContext)?.TakeSealedHead();
        return ValueTask.FromResult(result);
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        (eventData.Context as AftercareDbContext)?.TakeSealedHead();
    }

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    private static void Advance(DbContext? context)
    {
        if (context is AftercareDbContext db && db.TakeSealedHead() is { } head)
        {
            AuditSeal.Of(db).Committed(head.Position, head.Hash);
        }
    }
}
