using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aftercare.App.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Aftercare.Hosting;

/// <summary>
/// One backup file (issue 16, operations): a zip holding the database (SQLite through its online
/// backup API, so a running server goes on serving; PostgreSQL through Debian's `pg_dump -Fc`), the
/// keys folder encrypted with a passphrase (the keys that decrypt the clinical text and the audit's
/// MAC key and checkpoint, ADR 0009 and 0012), and a manifest. Restored on a new machine with the
/// passphrase, the clinical text reads back and `audit verify` passes.
/// </summary>
/// <remarks>
/// The keys are encrypted here by hand with AES-256-GCM under a PBKDF2-SHA256 key from the passphrase
/// (both in .NET itself); the folder is small, so one AEAD message. The database part is as it is
/// on disk: its clinical text is already encrypted under those keys, its names and identifiers are
/// not, so the file is kept as securely as the database (it is written readable by its owner only).
/// </remarks>
public static class Backup
{
    public const int Format = 1;
    public const int MinimumPassphraseLength = 12;
    private const string ManifestEntry = "manifest.json";
    private const string KeysEntry = "keys.enc";
    private const string SqliteEntry = "database.sqlite";
    private const string PostgresEntry = "database.pgdump";
    private const int Iterations = 600_000;
    private static readonly byte[] Magic = "AFTERCARE-KEYS-1"u8.ToArray();

    /// <param name="Database">The backed-up database's identity (its path, or host, port and name): the audit's checkpoint is kept under it (ADR 0012).</param>
    public sealed record Manifest(int Format, string Provider, DateTimeOffset CreatedAt, string? LastMigration, int KeyFiles, string Database);

    public sealed class BackupException(string message) : Exception(message);

    public static async Task<Manifest> CreateAsync(DatabaseSettings database, string keysFolder, string? lastMigration, string passphrase, string outFile, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (File.Exists(outFile))
        {
            throw new BackupException($"{outFile} already exists: give a new file name.");
        }

        // The keys first: the audit's checkpoint they hold is then never ahead of the database copied after them.
        var (keys, count) = ZipFolder(keysFolder);
        var work = Directory.CreateTempSubdirectory("aftercare-backup-");
        try
        {
            string dbFile;
            if (database.Provider == DatabaseProvider.Sqlite)
            {
                dbFile = Path.Combine(work.FullName, SqliteEntry);
                await using var source = new SqliteConnection(database.ConnectionString);
                await source.OpenAsync(ct);
                await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dbFile, Pooling = false }.ToString());
                await target.OpenAsync(ct);
                source.BackupDatabase(target);
            }
            else
            {
                dbFile = Path.Combine(work.FullName, PostgresEntry);
                await RunPostgresToolAsync("pg_dump", database.ConnectionString, ["--format=custom", "--no-owner", "--no-privileges", $"--file={dbFile}"], ct);
            }

            var manifest = new Manifest(Format, database.Provider.ToString(), now, lastMigration, count, database.Identity());
            await using (var file = new FileStream(outFile, NewOwnerOnly()))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                await WriteEntryAsync(zip, ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(manifest), ct);
                await WriteEntryAsync(zip, KeysEntry, Encrypt(keys, passphrase), ct);
                await using var entry = zip.CreateEntry(database.Provider == DatabaseProvider.Sqlite ? SqliteEntry : PostgresEntry, CompressionLevel.Fastest).Open();
                await using var dump = File.OpenRead(dbFile);
                await dump.CopyToAsync(entry, ct);
            }

            return manifest;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Puts the backup's keys into <paramref name="keysFolder"/> and its database at <paramref name="database"/>, which must be new or empty: nothing is overwritten.</summary>
    public static async Task<Manifest> RestoreAsync(string backupFile, string passphrase, DatabaseSettings database, string keysFolder, ILoggerFactory logs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(database);
        if (!File.Exists(backupFile))
        {
            throw new BackupException($"There is no backup at {backupFile}.");
        }

        using var zip = OpenArchive(backupFile);
        var manifest = ReadManifest(zip);
        if (manifest.Provider != database.Provider.ToString())
        {
            throw new BackupException($"This backup is of a {manifest.Provider} database; --db names a {database.Provider} one. Restore it into a {manifest.Provider} database.");
        }

        // Everything is checked before anything is written: the passphrase, then the keys folder, then the database.
        var keys = Decrypt(await ReadEntryAsync(zip, KeysEntry, ct), passphrase);
        var keyFiles = Unzip(keys);
        foreach (var (name, content) in keyFiles)
        {
            var existing = Path.Combine(keysFolder, name);
            if (File.Exists(existing) && !File.ReadAllBytes(existing).AsSpan().SequenceEqual(content))
            {
                throw new BackupException($"The keys folder {keysFolder} already holds a different {name}: restore into an empty keys folder (Aftercare:DataProtection:KeysFolder).");
            }
        }

        if (database.Provider == DatabaseProvider.Sqlite)
        {
            var path = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
            if (File.Exists(path))
            {
                throw new BackupException($"{path} already exists: restore into a new file, or move that one away first.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            WriteKeys(keysFolder, keyFiles);
            await using var entry = zip.GetEntry(SqliteEntry)?.Open() ?? throw new BackupException("This backup holds no SQLite database.");
            await using var file = new FileStream(path, NewOwnerOnly());
            await entry.CopyToAsync(file, ct);
        }
        else
        {
            await using (var connection = new NpgsqlConnection(database.ConnectionString))
            {
                await connection.OpenAsync(ct);
                await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", connection);
                if ((long)(await count.ExecuteScalarAsync(ct))! > 0)
                {
                    throw new BackupException("The database --db names already has tables: restore into a new, empty database (createdb).");
                }
            }

            var dump = Path.Combine(Directory.CreateTempSubdirectory("aftercare-restore-").FullName, PostgresEntry);
            try
            {
                await using (var entry = zip.GetEntry(PostgresEntry)?.Open() ?? throw new BackupException("This backup holds no PostgreSQL dump."))
                await using (var file = File.Create(dump))
                {
                    await entry.CopyToAsync(file, ct);
                }

                WriteKeys(keysFolder, keyFiles);
                await RunPostgresToolAsync("pg_restore", database.ConnectionString, ["--no-owner", "--no-privileges", "--exit-on-error", dump], ct);
            }
            finally
            {
                Directory.Delete(Path.GetDirectoryName(dump)!, recursive: true);
            }
        }

        // The audit's checkpoint is kept under the database's identity and signed with it: the new
        // database gets the backed-up head, checked under the old identity and signed under the new.
        var old = new App.Audit.AuditSeal(keysFolder, manifest.Database, logs.CreateLogger<App.Audit.AuditSeal>());
        if (old.ReadCheckpoint() is { Genuine: true } head && manifest.Database != database.Identity())
        {
            new App.Audit.AuditSeal(keysFolder, database.Identity(), logs.CreateLogger<App.Audit.AuditSeal>()).Advance(head.Position, head.Hash);
        }

        return manifest;
    }

    /// <summary>A new file, readable and writable by its owner only (0600), as the SQLite database is.</summary>
    private static FileStreamOptions NewOwnerOnly()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    private static ZipArchive OpenArchive(string backupFile)
    {
        try
        {
            return ZipFile.OpenRead(backupFile);
        }
        catch (InvalidDataException)
        {
            throw new BackupException($"{backupFile} is not an Aftercare backup.");
        }
    }

    private static Manifest ReadManifest(ZipArchive zip)
    {
        try
        {
            using var stream = zip.GetEntry(ManifestEntry)?.Open() ?? throw new BackupException("This file is not an Aftercare backup (it has no manifest).");
            var manifest = JsonSerializer.Deserialize<Manifest>(stream) ?? throw new BackupException("This backup's manifest is empty.");
            return manifest.Format == Format ? manifest : throw new BackupException($"This backup is of format {manifest.Format}; this version of Aftercare reads format {Format}.");
        }
        catch (JsonException)
        {
            throw new BackupException("This backup's manifest cannot be read.");
        }
    }

    private static (byte[] Zip, int Count) ZipFolder(string folder)
    {
        using var memory = new MemoryStream();
        var count = 0;
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.Exists(folder) ? Directory.GetFiles(folder) : [])
            {
                using var entry = zip.CreateEntry(Path.GetFileName(file)).Open();
                entry.Write(File.ReadAllBytes(file));
                count++;
            }
        }

        if (count == 0)
        {
            throw new BackupException($"The keys folder {folder} is empty or missing: without its keys a backup could not be read. Give the keys folder (Aftercare:DataProtection:KeysFolder).");
        }

        return (memory.ToArray(), count);
    }

    private static List<(string Name, byte[] Content)> Unzip(byte[] bytes)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var files = new List<(string, byte[])>();
        foreach (var entry in zip.Entries)
        {
            // Names only, never a path out of the keys folder.
            var name = Path.GetFileName(entry.FullName);
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files.Add((name, copy.ToArray()));
        }

        return files;
    }

    private static void WriteKeys(string folder, List<(string Name, byte[] Content)> files)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                File.WriteAllBytes(path, content);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }
        }
    }

    private static byte[] Encrypt(byte[] plaintext, string passphrase)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var key = Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, Iterations, HashAlgorithmName.SHA256, 32);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(key, tag.Length))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, Magic);
        }

        return [.. Magic, .. BitConverter.GetBytes(Iterations), .. salt, .. nonce, .. tag, .. ciphertext];
    }

    private static byte[] Decrypt(byte[] sealedKeys, string passphrase)
    {
        const int header = 16 + 4 + 16 + 12 + 16;
        if (sealedKeys.Length < header || !sealedKeys.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new BackupException("This backup's keys cannot be read (not format 1).");
        }

        var span = sealedKeys.AsSpan();
        var iterations = BitConverter.ToInt32(span.Slice(16, 4));
        var salt = span.Slice(20, 16).ToArray();
        var nonce = span.Slice(36, 12);
        var tag = span.Slice(48, 16);
        var ciphertext = span[header..];
        var key = Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, iterations, HashAlgorithmName.SHA256, 32);
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, 16);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, Magic);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new BackupException("The passphrase does not open this backup's keys. Nothing was restored.");
        }

        return plaintext;
    }

    private static async Task WriteEntryAsync(ZipArchive zip, string name, byte[] content, CancellationToken ct)
    {
        await using var entry = zip.CreateEntry(name).Open();
        await entry.WriteAsync(content, ct);
    }

    private static async Task<byte[]> ReadEntryAsync(ZipArchive zip, string name, CancellationToken ct)
    {
        await using var entry = zip.GetEntry(name)?.Open() ?? throw new BackupException($"This backup has no {name}.");
        using var copy = new MemoryStream();
        await entry.CopyToAsync(copy, ct);
        return copy.ToArray();
    }

    /// <summary>Runs Debian's pg_dump or pg_restore on the connection string's database; the password goes by environment, never on the command line.</summary>
    private static async Task RunPostgresToolAsync(string tool, string connectionString, string[] args, CancellationToken ct)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(FindTool(tool)) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add($"--host={c.Host}");
        start.ArgumentList.Add($"--port={c.Port}");
        start.ArgumentList.Add($"--username={c.Username}");
        start.ArgumentList.Add($"--dbname={c.Database}");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (!string.IsNullOrEmpty(c.Password))
        {
            start.Environment["PGPASSWORD"] = c.Password;
        }

        using var process = Process.Start(start) ?? throw new BackupException($"{tool} could not be started.");
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            // pg_dump's message names the server and the database, not rows.
            throw new BackupException($"{tool} failed (exit {process.ExitCode}): {(await error).Trim()}");
        }
    }

    private static string FindTool(string tool)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (File.Exists(Path.Combine(folder, tool)))
            {
                return Path.Combine(folder, tool);
            }
        }

        // Debian keeps the server's own tools beside it, newest version first.
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(v => Path.Combine(v, "bin", tool)).FirstOrDefault(File.Exists)
            : null;
        return debian ?? throw new BackupException($"{tool} is not installed: on Debian, apt-get install postgresql-client.");
    }
}
