using System.Net;
using System.Net.Http.Json;
using Aftercare.App.Demo;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Aftercare.Tests;

/// <summary>
/// The real application on a real loopback port and a real database: SQLite in a temporary file,
/// or a fresh PostgreSQL database when AFTERCARE_TEST_DB=postgres (./test.sh starts the server).
/// The clock is a FakeTimeProvider so dates in tests are stable.
/// </summary>
public sealed class AftercareApplication : IAsyncLifetime
{
    /// <summary>"Now" for every test: a weekday morning in London (UTC+0 in winter).</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private WebApplication? _app;
    private string? _sqliteFolder;
    private string? _postgresDatabase;

    private readonly Dictionary<string, string?> _extra;

    public AftercareApplication()
        : this([])
    {
    }

    /// <summary>With extra settings, e.g. the SMTP server a test started.</summary>
    internal AftercareApplication(Dictionary<string, string?> settings) => _extra = settings;

    public FakeTimeProvider Clock { get; } = new(Now);

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<DemoData.DemoUser> Users { get; private set; } = [];

    /// <summary>The --db value this instance uses, for running the CLI against the same database.</summary>
    public string Database { get; private set; } = "";

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("Not started.");

    public static string Provider => Environment.GetEnvironmentVariable("AFTERCARE_TEST_DB") ?? "sqlite";

    public async ValueTask InitializeAsync()
    {
        Database = Provider == "postgres" ? await CreatePostgresDatabaseAsync() : CreateSqliteFile();
        var host = new HostSettings
        {
            Database = Database,
            Demo = true,
            Environment = "Testing",
            Clock = Clock,
            Overrides = { ["urls"] = "http://127.0.0.1:0", ["Logging:LogLevel:Default"] = "Warning", ["Aftercare:Messaging:RunWorker"] = "false" },
        };
        foreach (var (key, value) in _extra)
        {
            host.Overrides[key] = value;
        }

        _app = Program.BuildWebApp(host);
        var seeded = await Startup.PrepareAsync(_app, migrate: true, demo: true);
        Users = seeded!.Users;
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(PostgresAdmin);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        if (_sqliteFolder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_sqliteFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open is left for the OS to clean up with the temp folder.
            }
        }
    }

    public DemoData.DemoUser User(string role) => Users.First(u => u.Role == role);

    /// <summary>The demo clinician of the Hillside team, where no demo person presented: outside every demo care team.</summary>
    public DemoData.DemoUser OtherTeamClinician => Users.Single(u => u.Email == DemoData.OtherTeamClinician);

    /// <summary>An HTTP client with its own cookie jar, not signed in.</summary>
    public HttpClient AnonymousClient() => new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
    {
        BaseAddress = BaseAddress,
    };

    /// <summary>An HTTP client signed in as the demo user with this role.</summary>
    public Task<HttpClient> ClientFor(string role) => ClientFor(User(role));

    /// <summary>An HTTP client signed in as this demo user.</summary>
    public async Task<HttpClient> ClientFor(DemoData.DemoUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var client = AnonymousClient();
        var response = await client.PostAsJsonAsync("api/session", new { user.Email, user.Password });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return client;
    }

    private static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("AFTERCARE_TEST_POSTGRES")
        ?? throw new InvalidOperationException("AFTERCARE_TEST_DB=postgres needs AFTERCARE_TEST_POSTGRES, a connection string to a server (./test.sh sets it).");

    private async Task<string> CreatePostgresDatabaseAsync()
    {
        _postgresDatabase = $"aftercare_test_{Guid.NewGuid():N}";
        await using var admin = new NpgsqlConnection(PostgresAdmin);
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_postgresDatabase}\"", admin);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = _postgresDatabase }.ConnectionString;
    }

    private string CreateSqliteFile()
    {
        _sqliteFolder = Path.Combine(Path.GetTempPath(), "aftercare-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_sqliteFolder);
        return Path.Combine(_sqliteFolder, "aftercare.db");
    }
}
