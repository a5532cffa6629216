using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.Account;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Users;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Aftercare.Tests;

/// <summary>Issue 17: what a security probe found, each proved fixed through the real pipeline.</summary>
public sealed partial class SecurityTests
{
    // 17.4 -----------------------------------------------------------------------------------

    [Fact]
    public async Task A_cookie_copied_before_signing_out_is_refused_at_once_after_it()
    {
        var (email, _) = await NewUser(Roles.Clinician);

        // Signing out from the page.
        var browser = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(browser, email, Password)).StatusCode);
        var copy = app.CopyOf(browser);
        Assert.Equal(HttpStatusCode.OK, (await copy.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
        var home = await browser.GetStringAsync("");
        var signedOut = await browser.PostAsync("signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = FormToken0().Match(home).Groups[1].Value }));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
        var page = await copy.GetAsync("people");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/signin", page.Headers.Location?.AbsolutePath);

        // Ending the session through the API.
        var script = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(script, email, Password)).StatusCode);
        copy = app.CopyOf(script);
        Assert.Equal(HttpStatusCode.NoContent, (await script.DeleteAsync("api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
    }

    [Fact]
    public async Task Disabling_an_account_or_changing_its_role_ends_its_sessions_at_once()
    {
        var (disabled, _) = await NewUser(Roles.Clinician);
        var client = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, disabled, Password)).StatusCode);
        await Change((s, db) => DisableUser.Handle(s, db, app.Clock, Actor.System, disabled, disable: true));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);

        var (changed, _) = await NewUser(Roles.Clinician);
        client = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, changed, Password)).StatusCode);
        await Change((s, db) => ChangeRole.Set(s, db, app.Clock, Actor.System, changed, Roles.ServiceManager));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
    }

    // 17.7 -----------------------------------------------------------------------------------

    [Fact]
    public async Task A_locked_account_is_checked_against_its_password_hash_and_answered_like_an_unknown_email()
    {
        var hashing = new HashingCount();
        await using var watched = new AftercareApplication([], services => services.AddScoped<IPasswordHasher<AftercareUser>>(sp =>
            new CountingHasher(new PasswordHasher<AftercareUser>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>()), hashing)));
        await watched.InitializeAsync();
        var user = watched.User(Roles.Therapist);
        for (var i = 0; i < IdentitySetup.MaxFailedSignIns; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await watched.AnonymousClient().PostAsJsonAsync("api/session", new { user.Email, password = $"Not-Their-Password-{i}" })).StatusCode);
        }

        Assert.True(await watched.Read(db => db.Users.Where(u => u.Email == user.Email).Select(u => u.LockoutEnd).SingleAsync()) > watched.Clock.GetUtcNow());
        var before = hashing.Verified;
        var locked = await watched.AnonymousClient().PostAsJsonAsync("api/session", new { user.Email, password = "Not-Their-Password-x" });
        Assert.Equal(before + 1, hashing.Verified);

        var unknown = await watched.AnonymousClient().PostAsJsonAsync("api/session", new { email = "no-one-by-this-name@demo.aftercare.example", password = "Not-Their-Password-x" });
        Assert.Equal(before + 2, hashing.Verified);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal(unknown.StatusCode, locked.StatusCode);
        Assert.Equal(unknown.Content.Headers.ContentType, locked.Content.Headers.ContentType);
        Assert.Equal(await unknown.Content.ReadAsByteArrayAsync(), await locked.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task One_address_cannot_lock_a_member_of_staff_out_and_they_still_sign_in_from_their_own()
    {
        await using var throttled = new AftercareApplication(new()
        {
            ["Aftercare:Security:SignInThrottle:FailuresPerSourceAndAccount"] = "3",
            ["Aftercare:Security:SignInThrottle:FailuresPerSource"] = "6",
        });
        await throttled.InitializeAsync();
        var clinician = throttled.User(Roles.Clinician);
        var stranger = From(throttled.AnonymousClient(), "203.0.113.7");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.PostAsJsonAsync("api/session", new { clinician.Email, password = $"Guess-Number-{i}" })).StatusCode);
        }

        for (var i = 0; i < 10; i++)
        {
            var refused = await stranger.PostAsJsonAsync("api/session", new { clinician.Email, password = $"Another-Guess-{i}" });
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        var page = await stranger.Post("signin", "signin", [new("Form.Email", clinician.Email), new("Form.Password", "Guess-From-The-Page")]);
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Contains("Too many failed sign-ins from this address", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The attempts past the limit never reached the account.
        var account = await throttled.Read(db => db.Users.Where(u => u.Email == clinician.Email).Select(u => new { u.AccessFailedCount, u.LockoutEnd }).SingleAsync());
        Assert.Equal(3, account.AccessFailedCount);
        Assert.Null(account.LockoutEnd);

        // The clinician, at their own computer, signs in.
        var own = From(throttled.AnonymousClient(), "198.51.100.20");
        Assert.Equal(HttpStatusCode.NoContent, (await throttled.SignInAsync(own, clinician.Email, clinician.Password)).StatusCode);

        // One address trying many accounts meets its own limit: 6 failures in all.
        var sprayer = From(throttled.AnonymousClient(), "203.0.113.99");
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add((await sprayer.PostAsJsonAsync("api/session", new { email = $"someone-{i}@demo.aftercare.example", password = "Summer-Holiday-1" })).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 6), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
    }

    // 17.8 -----------------------------------------------------------------------------------

    [Fact]
    public async Task Wrong_passwords_sent_at_once_are_each_counted_and_none_is_answered_500()
    {
        var (email, _) = await NewUser(Roles.AftercareWorker);
        var first = await Task.WhenAll(Enumerable.Range(0, IdentitySetup.MaxFailedSignIns - 1)
            .Select(i => app.AnonymousClient().PostAsJsonAsync("api/session", new { email, password = $"Wrong-At-Once-{i}" })));
        Assert.All(first, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Equal(IdentitySetup.MaxFailedSignIns - 1, await app.Read(db => db.Users.Where(u => u.Email == email).Select(u => u.AccessFailedCount).SingleAsync()));

        var (other, _) = await NewUser(Roles.AftercareWorker);
        var many = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => app.AnonymousClient().PostAsJsonAsync("api/session", new { email = other, password = $"Wrong-At-Once-{i}" })));
        Assert.All(many, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.True(await app.Read(db => db.Users.Where(u => u.Email == other).Select(u => u.LockoutEnd).SingleAsync()) > app.Clock.GetUtcNow());
        Assert.Equal(20, await app.Read(db => db.AuditEvents.CountAsync(a => a.Actor == other && a.Action == AuditAction.SignInFailed)));
    }

    [Fact]
    public async Task One_code_sent_by_many_requests_at_once_signs_in_exactly_one()
    {
        var (email, _) = await NewUser(Roles.Therapist);
        var code = await app.NextCodeAsync(email);
        var answers = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => app.AnonymousClient().PostAsJsonAsync("api/session", new { email, password = Password, code })));
        Assert.Single(answers, r => r.StatusCode == HttpStatusCode.NoContent);
        Assert.All(answers, r => Assert.True(r.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.Unauthorized, $"answered {r.StatusCode}"));
    }

    // 17.9 -----------------------------------------------------------------------------------

    [Fact]
    public async Task A_malformed_app_request_or_an_email_that_is_not_text_gets_a_clear_answer_not_an_error()
    {
        var clinician = await app.ClientFor(Roles.Clinician);
        var noClient = await clinician.GetAsync("apps/authorize");
        Assert.Equal(HttpStatusCode.BadRequest, noClient.StatusCode);
        Assert.Contains("This app is not registered", await noClient.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // U+FFFF and U+FFFE are not characters: Unicode normalisation throws on them.
        using var body = new StringContent("{\"email\":\"\\uffff\\ufffe\",\"password\":\"Whatever-It-Is-1\"}", Encoding.UTF8, "application/json");
        var api = await app.AnonymousClient().PostAsync("api/session", body);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(SignInUser.Failed, (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var page = await app.AnonymousClient().Post("signin", "signin", [new("Form.Email", "\uffff\ufffe"), new("Form.Password", "Whatever-It-Is-1")]);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
    }

    // 17.10 ----------------------------------------------------------------------------------

    [Fact]
    public async Task The_one_time_password_and_common_passwords_are_refused_as_a_new_password_and_a_passphrase_is_accepted()
    {
        var email = $"first-sign-in-{Guid.NewGuid():N}@example.org";
        string? oneTime = null;
        await Change(async (users, db) =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var added = await AddUser.Handle(users, scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>(), db, app.Clock, Actor.System,
                new AddUser.Command(email, Roles.Clinician, null, null));
            oneTime = added.IsSuccess ? added.Value.GeneratedPassword : null;
            return added;
        });
        var client = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, email, oneTime!)).StatusCode);

        async Task<string> Choose(string next) =>
            await (await client.Post("account/password", "password", [new("Form.Current", oneTime!), new("Form.Next", next)])).Content.ReadAsStringAsync();

        Assert.Contains(PasswordPolicy.Same, await Choose(oneTime!), StringComparison.Ordinal);
        Assert.Contains(PasswordPolicy.Common, await Choose("Password1234"), StringComparison.Ordinal);
        Assert.Contains(PasswordPolicy.Common, await Choose("password1"), StringComparison.Ordinal);
        Assert.Contains(PasswordPolicy.Common, await Choose("qwertyuiop123!"), StringComparison.Ordinal);
        Assert.True(await app.Read(db => db.Users.Where(u => u.Email == email).Select(u => u.MustChangePassword).SingleAsync()));

        var accepted = await client.Post("account/password", "password", [new("Form.Current", oneTime!), new("Form.Next", "harbour lantern quietly orbits")]);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal("/", accepted.Headers.Location?.AbsolutePath);
        Assert.False(await app.Read(db => db.Users.Where(u => u.Email == email).Select(u => u.MustChangePassword).SingleAsync()));
    }

    // 17.11 ----------------------------------------------------------------------------------

    [Fact]
    public async Task A_request_for_another_host_is_refused_and_discovery_names_only_the_configured_address()
    {
        using var evil = new HttpRequestMessage(HttpMethod.Get, ".well-known/smart-configuration");
        evil.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await app.AnonymousClient().SendAsync(evil)).StatusCode);

        // Unset, the address is the one Aftercare listens on.
        var listening = await app.AnonymousClient().GetFromJsonAsync<JsonElement>(".well-known/smart-configuration");
        Assert.Equal(new Uri(app.BaseAddress, "connect/token").AbsoluteUri, listening.GetProperty("token_endpoint").GetString());

        await using var configured = new AftercareApplication(new() { ["Aftercare:PublicBaseUrl"] = "https://aftercare.example.org" });
        await configured.InitializeAsync();
        using var stillEvil = new HttpRequestMessage(HttpMethod.Get, "signin");
        stillEvil.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await configured.AnonymousClient().SendAsync(stillEvil)).StatusCode);
        var discovery = await configured.AnonymousClient().GetStringAsync(".well-known/smart-configuration");
        var document = JsonDocument.Parse(discovery).RootElement;
        Assert.Equal("https://aftercare.example.org/", document.GetProperty("issuer").GetString());
        Assert.Equal("https://aftercare.example.org/connect/token", document.GetProperty("token_endpoint").GetString());
        Assert.Equal("https://aftercare.example.org/connect/authorize", document.GetProperty("authorization_endpoint").GetString());
        Assert.DoesNotContain("127.0.0.1", discovery, StringComparison.Ordinal);
    }

    // 17.12 ----------------------------------------------------------------------------------

    [Fact]
    public async Task The_antiforgery_cookie_is_Secure_when_the_request_came_over_https()
    {
        using var https = new HttpRequestMessage(HttpMethod.Get, "signin");
        https.Headers.Add("X-Forwarded-Proto", "https");
        var response = await app.AnonymousClient().SendAsync(https);
        var antiforgery = Assert.Single(Cookies(response), c => c.StartsWith("aftercare-af=", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery.Split(';').Select(p => p.Trim().ToLowerInvariant()));
    }

    [Fact]
    public async Task Responses_do_not_name_the_server_software()
    {
        foreach (var path in new[] { "signin", "api/session", "fhir/metadata", "assets/app.css", "no-such-page" })
        {
            var response = await app.AnonymousClient().GetAsync(path);
            Assert.False(response.Headers.Contains("Server"), $"{path} says Server: {string.Join(", ", response.Headers.TryGetValues("Server", out var v) ? v : [])}");
        }
    }

    [Fact]
    public async Task The_database_file_and_the_keys_folder_are_readable_by_Aftercare_alone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var keys = Path.Combine(Path.GetTempPath(), "aftercare-tests", Guid.NewGuid().ToString("N"), "keys");
        try
        {
            await using var fresh = new AftercareApplication(new() { ["Aftercare:DataProtection:KeysFolder"] = keys });
            await fresh.InitializeAsync();
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
            if (AftercareApplication.Provider == "sqlite")
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fresh.Database));
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(keys)!, recursive: true);
        }
    }

    [Fact]
    public async Task Private_link_pages_are_rate_limited_so_their_tokens_cannot_be_guessed()
    {
        await using var limited = new AftercareApplication(new() { ["Aftercare:Security:RateLimits:PrivateLinkPerMinute"] = "3" });
        await limited.InitializeAsync();
        var guesser = limited.AnonymousClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await guesser.GetAsync($"my-plan/guess{i}")).StatusCode);
        }

        foreach (var page in new[] { "my-plan/guess9", "feedback/guess9", "opt-out/guess9" })
        {
            var refused = await guesser.GetAsync(page);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        // Another address is not held back by this one.
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await From(limited.AnonymousClient(), "198.51.100.30").GetAsync("feedback/guess0")).StatusCode);
    }

    // -----------------------------------------------------------------------------------------

    /// <summary>As if from this address, as the reverse proxy on this machine would say (X-Forwarded-For is trusted from loopback only).</summary>
    private static HttpClient From(HttpClient client, string address)
    {
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken0();

    private sealed class HashingCount
    {
        private int _verified;

        public int Verified => Volatile.Read(ref _verified);

        public void Add() => Interlocked.Increment(ref _verified);
    }

    private sealed class CountingHasher(IPasswordHasher<AftercareUser> inner, HashingCount count) : IPasswordHasher<AftercareUser>
    {
        public string HashPassword(AftercareUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(AftercareUser user, string hashedPassword, string providedPassword)
        {
            count.Add();
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
