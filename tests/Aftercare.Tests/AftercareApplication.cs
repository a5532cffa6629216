using System.Net;
using System.Net.Http.Json;
using Aftercare.App.Demo;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Aftercare.Tests;

/// <summary>
/// The real application on a real loopback port and a real database: SQLite in a temporary file,
/// or a PostgreSQL database of its own when AFTERCARE_TEST_DB=postgres (./test.sh starts the server),
/// each a copy of one migrated, seeded template per test process (<see cref="TemplateDatabase"/>).
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

    private readonly Action<IServiceCollection>? _services;

    public AftercareApplication()
        : this([])
    {
    }

    /// <summary>
    /// With extra settings, e.g. the SMTP server a test started; if given, a change to the services
    /// (to watch one); and, if given, every log line captured.
    /// </summary>
    internal AftercareApplication(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null, CapturedLogs? logs = null)
    {
        _extra = settings;
        _services = services;
        Logs = logs;
    }

    /// <summary>On a database the test made itself (a replicated pair, say): migrated and seeded there, never dropped.</summary>
    internal AftercareApplication(Dictionary<string, string?> settings, string database)
        : this(settings)
    {
        _givenDatabase = database;
    }

    private readonly string? _givenDatabase;

    /// <summary>What the app logged, when it was started with a capture.</summary>
    public CapturedLogs? Logs { get; }

    public FakeTimeProvider Clock { get; } = new(Now);

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<DemoData.DemoUser> Users { get; private set; } = [];

    /// <summary>The --db value this instance uses, for running the CLI against the same database.</summary>
    public string Database { get; private set; } = "";

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("Not started.");

    public static string Provider => Environment.GetEnvironmentVariable("AFTERCARE_TEST_DB") ?? "sqlite";

    public async ValueTask InitializeAsync()
    {
        // Every FHIR answer is validated: the specification is loaded before the app (once per process).
        await FhirValidation.WarmAsync();
        var copied = _givenDatabase is null && !_extra.Keys.Any(PreparedAfresh.Contains);
        Database = _givenDatabase ?? (Provider == "postgres" ? await CreatePostgresDatabaseAsync(copied) : await CreateSqliteFileAsync(copied));
        _app = Program.BuildWebApp(Settings(Database, Clock, _extra, _services));
        if (Logs is not null)
        {
            // Beside the console, with the app's own filters (levels from configuration and code).
            _app.Services.GetRequiredService<ILoggerFactory>().AddProvider(Logs);
        }

        if (copied)
        {
            // Migrated and seeded already: what is made at the first start (the audit key, the
            // configured sites and services) is made now, as a start on an existing database does.
            await DatabasePreparation.PrepareAsync(_app, migrate: false, demo: false);
        }
        else
        {
            Users = (await DatabasePreparation.PrepareAsync(_app, migrate: true, demo: true))!.Users;
        }

        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    /// <summary>
    /// Settings that change what migrating and seeding make (where the keys are kept, how passwords
    /// are hashed): an instance given one migrates and seeds its own database instead of copying the
    /// template.
    /// </summary>
    private static readonly HashSet<string> PreparedAfresh = new(StringComparer.OrdinalIgnoreCase)
    {
        "Aftercare:DataProtection:KeysFolder", IdentitySetup.PasswordHashIterationsSetting,
    };

    /// <summary>The test host: demo mode, the fake clock, no background worker, limits out of the way; then the extra settings.</summary>
    internal static HostSettings Settings(string database, TimeProvider clock, Dictionary<string, string?> extra, Action<IServiceCollection>? services)
    {
        var host = new HostSettings
        {
            Database = database,
            Demo = true,
            Environment = "Testing",
            Clock = clock,
            Overrides =
            {
                ["urls"] = "http://127.0.0.1:0", ["Logging:LogLevel:Default"] = "Warning", ["Aftercare:Messaging:RunWorker"] = "false",
                // Out of the way of every test but the one that proves the 429 (SecurityTests).
                ["Aftercare:Security:RateLimits:SignInPerMinute"] = "100000", ["Aftercare:Security:RateLimits:ApiPerMinute"] = "100000",
                ["Aftercare:Security:RateLimits:PrivateLinkPerMinute"] = "100000",
                // Likewise the throttle of failed sign-ins by address (every test client is 127.0.0.1).
                ["Aftercare:Security:SignInThrottle:FailuresPerSource"] = "100000", ["Aftercare:Security:SignInThrottle:FailuresPerSourceAndAccount"] = "100000",
                // A hash in microseconds, not a tenth of a second; SecurityTests checks the production count with its own instance.
                [IdentitySetup.PasswordHashIterationsSetting] = TestPasswordHashIterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            ConfigureServices = services,
        };
        foreach (var (key, value) in extra)
        {
            host.Overrides[key] = value;
        }

        return host;
    }

    /// <summary>The PBKDF2 iteration count of the test host (production: <see cref="IdentitySetup.PasswordHashIterations"/>).</summary>
    public const int TestPasswordHashIterations = 100;

    public async ValueTask DisposeAsync()
    {
        _signingIn.Dispose();
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
    public HttpClient AnonymousClient()
    {
        var jar = new CookieContainer();
        var client = Client(jar);
        _jars.Add(client, jar);
        return client;
    }

    /// <summary>A second client holding a copy of the cookies an <see cref="AnonymousClient"/> holds now, as a thief would.</summary>
    public HttpClient CopyOf(HttpClient client)
    {
        var jar = new CookieContainer();
        foreach (Cookie cookie in _jars.TryGetValue(client, out var from) ? from.GetAllCookies() : [])
        {
            jar.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }

        return Client(jar);
    }

    /// <summary>
    /// A client of this app with these cookies, no redirects followed, and every FHIR resource it
    /// gets back validated against R4 (<see cref="FhirValidatingHandler"/>).
    /// </summary>
    private HttpClient Client(CookieContainer jar) =>
        new(new FhirValidatingHandler(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false })) { BaseAddress = BaseAddress };

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpClient, CookieContainer> _jars = [];

    /// <summary>
    /// An HTTP client signed in as the demo user with this role. Each role signs in once (a code is
    /// accepted once), and each client gets its own copy of that session's cookies; a session older
    /// than a few minutes of the fake clock (a test moved it on) is replaced by a new sign-in.
    /// </summary>
    public Task<HttpClient> ClientFor(string role) => ClientFor(User(role));

    /// <summary>An HTTP client signed in as this demo user (one sign-in per user, cookies copied).</summary>
    public async Task<HttpClient> ClientFor(DemoData.DemoUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        await _signingIn.WaitAsync();
        try
        {
            if (!_sessions.TryGetValue(user.Email, out var session) || Clock.GetUtcNow() - session.At > TimeSpan.FromMinutes(5))
            {
                var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
                using (var first = new HttpClient(handler, disposeHandler: false) { BaseAddress = BaseAddress })
                {
                    var response = await SignInAsync(first, user.Email, user.Password);
                    Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                }

                session = (handler.CookieContainer.GetAllCookies(), Clock.GetUtcNow());
                handler.Dispose();
                _sessions[user.Email] = session;
            }

            var jar = new CookieContainer();
            foreach (Cookie cookie in session.Cookies)
            {
                jar.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
            }

            return Client(jar);
        }
        finally
        {
            _signingIn.Release();
        }
    }

    private readonly SemaphoreSlim _signingIn = new(1, 1);

    private readonly Dictionary<string, (CookieCollection Cookies, DateTimeOffset At)> _sessions = [];

    /// <summary>
    /// Signs this client in through the API with the password and a fresh code. An account without
    /// an authenticator yet is set up first, as the API offers.
    /// </summary>
    public async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password)
    {
        ArgumentNullException.ThrowIfNull(client);
        var code = await NextCodeAsync(email);
        if (code is null)
        {
            var offer = await client.PostAsJsonAsync("api/session", new { email, password });
            if (offer.StatusCode != HttpStatusCode.Unauthorized || (code = await NextCodeAsync(email)) is null)
            {
                return offer;
            }
        }

        return await client.PostAsJsonAsync("api/session", new { email, password, code });
    }

    /// <summary>
    /// A code the app has not yet accepted for this account, computed with Otp.NET (not the app's own
    /// code) on the fake clock the app reads: the earliest step it still accepts. Only if a test has
    /// used up every step the app would accept is the clock moved on by one step.
    /// </summary>
    public async Task<string?> NextCodeAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Aftercare.App.Data.AftercareUser>>();
        var user = await users.FindByEmailAsync(email);
        var key = user is null ? null : await users.GetAuthenticatorKeyAsync(user);
        if (key is null)
        {
            return null;
        }

        var stored = await users.GetAuthenticationTokenAsync(user!, Aftercare.App.Users.Authenticator.TokenProvider, Aftercare.App.Users.Authenticator.LastStepToken);
        var last = stored is null ? long.MinValue : long.Parse(stored, System.Globalization.CultureInfo.InvariantCulture);
        var now = Clock.GetUtcNow().ToUnixTimeSeconds() / 30;
        var step = Math.Max(last + 1, now - 1);
        if (step > now + 1)
        {
            Clock.Advance(TimeSpan.FromSeconds(30));
        }

        return CodeAt(key, step);
    }

    /// <summary>The code an authenticator app shows at this 30-second step.</summary>
    public static string CodeAt(string key, long step) =>
        new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(key)).ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * 30).UtcDateTime);

    internal static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("AFTERCARE_TEST_POSTGRES")
        ?? throw new InvalidOperationException("AFTERCARE_TEST_DB=postgres needs AFTERCARE_TEST_POSTGRES, a connection string to a server (./test.sh sets it).");

    private async Task<string> CreatePostgresDatabaseAsync(bool copied)
    {
        _postgresDatabase = $"aftercare_test_{Guid.NewGuid():N}";
        if (copied)
        {
            Users = (await TemplateDatabase.CopyPostgresAsync(PostgresAdmin, _postgresDatabase)).Users;
        }
        else
        {
            await using var admin = new NpgsqlConnection(PostgresAdmin);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_postgresDatabase}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = _postgresDatabase }.ConnectionString;
    }

    private async Task<string> CreateSqliteFileAsync(bool copied)
    {
        _sqliteFolder = Path.Combine(Path.GetTempPath(), "aftercare-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_sqliteFolder);
        var file = Path.Combine(_sqliteFolder, "aftercare.db");
        if (copied)
        {
            Users = (await TemplateDatabase.CopySqliteAsync(file)).Users;
        }

        return file;
    }
}

/// <summary>Every line the app logs, with its category, message, structured values, scopes and exception.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider? _scopes;

    public IReadOnlyList<string> Lines => [.. _lines];

    public string All => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new Capture(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Capture(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => logs._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new System.Text.StringBuilder($"{logLevel} {category}: {formatter(state, exception)}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    line.Append(System.Globalization.CultureInfo.InvariantCulture, $" {key}={value}");
                }
            }

            logs._scopes?.ForEachScope((scope, text) => text.Append(" scope=").Append(scope), line);
            if (exception is not null)
            {
                line.Append(' ').Append(exception);
            }

            logs._lines.Enqueue(line.ToString());
        }
    }
}
