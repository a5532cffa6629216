using Aftercare.App.Data;

namespace Aftercare.Hosting;

/// <summary>How the host is started: from the command line, or by a test.</summary>
public sealed record HostSettings
{
    public string[] Args { get; init; } = [];

    /// <summary>The --db value: a SQLite file path or a PostgreSQL connection string.</summary>
    public string? Database { get; init; }

    public bool Demo { get; init; }

    /// <summary>
    /// For every command but serve and migrate: the database must already be there, so that a
    /// mistyped --db is an error rather than a new empty database and a report of nothing.
    /// </summary>
    public bool MustExist { get; init; }

    public string Environment { get; init; } = Environments.Production;

    public TimeProvider? Clock { get; init; }

    public Dictionary<string, string?> Overrides { get; init; } = [];

    /// <summary>Tests only: runs last on the service collection, to wrap a service and watch it. Never set by the CLI.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>--db, then Aftercare:Database (appsettings or Aftercare__Database), then a file in the data folder.</summary>
    public DatabaseSettings ResolveDatabase(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = Database
            ?? configuration["Aftercare:Database"]
            ?? configuration.GetConnectionString("Aftercare");
        var folder = configuration["Aftercare:DataFolder"] ?? "data";
        var value = !string.IsNullOrWhiteSpace(configured) ? configured : Path.Combine(folder, Demo ? "aftercare-demo.db" : "aftercare.db");
        if (MustExist && DatabaseSettings.SqliteFile(value) is { } file && !File.Exists(file))
        {
            throw new DatabaseNotFoundException(
                $"there is no database at {file} (relative paths are from the folder you are in, {Directory.GetCurrentDirectory()}). "
                + "Check --db; `aftercare migrate --db PATH` creates a new one.");
        }

        return DatabaseSettings.Parse(value);
    }

    /// <summary>
    /// Aftercare:DataProtection:KeysFolder, else a "keys" folder beside the SQLite file (or in the
    /// data folder for PostgreSQL). The keys must be backed up with the database (docs/security.md).
    /// </summary>
    public static string ResolveKeysFolder(IConfiguration configuration, DatabaseSettings database)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration["Aftercare:DataProtection:KeysFolder"];
        return !string.IsNullOrWhiteSpace(configured)
            ? Path.GetFullPath(configured)
            : FieldEncryptionRegistration.DefaultKeysFolder(database, configuration["Aftercare:DataFolder"] ?? "data");
    }

    /// <summary>
    /// The certificate that encrypts the Data Protection keys at rest, when
    /// Aftercare:DataProtection:CertificatePath names a PKCS#12 (.pfx) file with its private key;
    /// its password is Aftercare:DataProtection:CertificatePassword (best given as the environment
    /// variable Aftercare__DataProtection__CertificatePassword). Null when none is configured.
    /// </summary>
    public static System.Security.Cryptography.X509Certificates.X509Certificate2? ResolveKeyCertificate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration["Aftercare:DataProtection:CertificatePath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Aftercare:DataProtection:CertificatePath: there is no certificate at {Path.GetFullPath(path)}.");
        }

        var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
            path, configuration["Aftercare:DataProtection:CertificatePassword"], System.Security.Cryptography.X509Certificates.X509KeyStorageFlags.EphemeralKeySet);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException("Aftercare:DataProtection:CertificatePath: the certificate has no private key, so the keys it protects could not be read back.");
        }

        return certificate;
    }
}

/// <summary>A command was pointed at a database that is not there: it stops, naming the path, rather than make an empty one.</summary>
public sealed class DatabaseNotFoundException : Exception
{
    public DatabaseNotFoundException()
        : base("There is no database there.")
    {
    }

    public DatabaseNotFoundException(string message)
        : base(message)
    {
    }

    public DatabaseNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
