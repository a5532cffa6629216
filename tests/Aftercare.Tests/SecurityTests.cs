using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.Account;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Users;
using Aftercare.Domain.Users;
using Aftercare.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>Issue #6 points 5 and 6: sign-in with a second factor, sessions, headers, forms and rate limits.</summary>
public sealed partial class SecurityTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private const string Password = "Correct-Horse-42-Battery";

    private static readonly object SearchDemoPerson = new { identifierKind = "Mrn", identifier = "DEMO0001" };

    [Fact]
    public async Task A_code_is_accepted_once_and_never_again()
    {
        var (email, _) = await NewUser(Roles.Therapist);
        var code = await app.NextCodeAsync(email);
        Assert.Equal(HttpStatusCode.NoContent, (await app.AnonymousClient().PostAsJsonAsync("api/session", new { email, password = Password, code })).StatusCode);

        var replayed = await app.AnonymousClient().PostAsJsonAsync("api/session", new { email, password = Password, code });
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal(SignInUser.CodeFailed, (await replayed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        // A code of an earlier step is refused too, though still inside the time window.
        var step = app.Clock.GetUtcNow().ToUnixTimeSeconds() / 30;
        var key = await Key(email);
        var earlier = await app.AnonymousClient().PostAsJsonAsync("api/session", new { email, password = Password, code = AftercareApplication.CodeAt(key, step - 2) });
        Assert.Equal(HttpStatusCode.Unauthorized, earlier.StatusCode);
    }

    [Fact]
    public async Task Without_a_code_the_API_says_a_code_is_needed_and_issues_no_session()
    {
        var user = app.User(Roles.Clinician);
        var client = app.AnonymousClient();
        var response = await client.PostAsJsonAsync("api/session", new { user.Email, user.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("A code is needed.", problem.GetProperty("title").GetString());
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
    }

    [Fact]
    public async Task A_new_account_sets_up_its_authenticator_on_the_page_before_any_session()
    {
        var (email, _) = await NewUser(Roles.AftercareWorker, enrol: false);
        var client = app.AnonymousClient();
        var password = await client.Post("signin", "signin", [new("Form.Email", email), new("Form.Password", Password)]);
        Assert.Equal("/signin/code", password.Headers.Location?.AbsolutePath);
        Assert.DoesNotContain(Cookies(password), c => c.StartsWith("aftercare=", StringComparison.Ordinal));

        var page = await client.GetStringAsync("signin/code");
        Assert.Contains("Set up your authenticator app", page, StringComparison.Ordinal);
        Assert.Contains("otpauth://totp/Aftercare:", page, StringComparison.Ordinal);
        Assert.Contains("data:image/png;base64,", page, StringComparison.Ordinal);
        var code = await app.NextCodeAsync(email);
        var signedIn = await client.Post("signin/code", "code", [new("Form.Code", code!)]);
        Assert.Equal("/", signedIn.Headers.Location?.AbsolutePath);
        Assert.Contains(Cookies(signedIn), c => c.StartsWith("aftercare=", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
    }

    [Fact]
    public async Task Wrong_codes_count_toward_the_lockout_like_wrong_passwords()
    {
        var (email, _) = await NewUser(Roles.Clinician);
        var client = app.AnonymousClient();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await client.PostAsJsonAsync("api/session", new { email, password = Password, code = "000000" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var locked = await client.PostAsJsonAsync("api/session", new { email, password = Password, code = await app.NextCodeAsync(email) });
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.True(await app.Read(db => db.Users.Where(u => u.Email == email).Select(u => u.LockoutEnd).SingleAsync()) > app.Clock.GetUtcNow());
    }

    [Fact]
    public async Task An_unknown_email_and_a_wrong_password_get_byte_identical_answers()
    {
        var known = app.User(Roles.Therapist).Email;
        const string unknown = "nobody-here@demo.aftercare.example";
        var wrong = await app.AnonymousClient().PostAsJsonAsync("api/session", new { email = known, password = "Not-The-Password-1" });
        var stranger = await app.AnonymousClient().PostAsJsonAsync("api/session", new { email = unknown, password = "Not-The-Password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(wrong.StatusCode, stranger.StatusCode);
        Assert.Equal(wrong.Content.Headers.ContentType, stranger.Content.Headers.ContentType);
        Assert.Equal(await wrong.Content.ReadAsByteArrayAsync(), await stranger.Content.ReadAsByteArrayAsync());

        // The page: the same, but for the form token (new on every page) and the email typed, shown back.
        var wrongPage = await app.AnonymousClient().Post("signin", "signin", [new("Form.Email", known), new("Form.Password", "Not-The-Password-1")]);
        var strangerPage = await app.AnonymousClient().Post("signin", "signin", [new("Form.Email", unknown), new("Form.Password", "Not-The-Password-1")]);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPage.StatusCode);
        Assert.Equal(wrongPage.StatusCode, strangerPage.StatusCode);
        Assert.Equal(
            Normalised(await wrongPage.Content.ReadAsStringAsync(), known),
            Normalised(await strangerPage.Content.ReadAsStringAsync(), unknown));
    }

    [Fact]
    public async Task Passwords_are_stored_with_at_least_210000_PBKDF2_iterations()
    {
        // The test host hashes with fewer (AftercareApplication.TestPasswordHashIterations); this
        // instance has the count a deployment has, setting nothing.
        await using var deployed = new AftercareApplication(new() { [IdentitySetup.PasswordHashIterationsSetting] = null });
        await deployed.InitializeAsync();
        var email = deployed.User(Roles.Administrator).Email;
        var hash = Convert.FromBase64String((await deployed.Read(db => db.Users.Where(u => u.Email == email).Select(u => u.PasswordHash).SingleAsync()))!);
        // Identity's V3 format: 0x01, the PRF (2 = HMAC-SHA512), the iteration count, big-endian.
        Assert.Equal(0x01, hash[0]);
        Assert.Equal(2u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(1, 4)));
        Assert.True(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(5, 4)) >= 210_000);
    }

    [Fact]
    public async Task A_password_hashed_with_the_deployed_iteration_count_signs_in()
    {
        await using var deployed = new AftercareApplication(new() { [IdentitySetup.PasswordHashIterationsSetting] = null });
        await deployed.InitializeAsync();
        var user = deployed.User(Roles.Administrator);
        Assert.Equal(HttpStatusCode.NoContent, (await deployed.SignInAsync(deployed.AnonymousClient(), user.Email, user.Password)).StatusCode);
    }

    [Fact]
    public async Task A_session_ends_after_20_minutes_unused()
    {
        var (email, _) = await NewUser(Roles.Clinician);
        var idle = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(idle, email, Password)).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal(HttpStatusCode.OK, (await idle.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(21));
        Assert.Equal(HttpStatusCode.Unauthorized, (await idle.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
    }

    [Fact]
    public async Task A_session_ends_8_hours_after_sign_in_however_busy()
    {
        var (email, _) = await NewUser(Roles.Clinician);
        var busy = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(busy, email, Password)).StatusCode);
        for (var minutes = 0; minutes < 8 * 60 - 15; minutes += 15)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(15));
            Assert.Equal(HttpStatusCode.OK, (await busy.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
        }

        app.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(HttpStatusCode.Unauthorized, (await busy.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
    }

    [Fact]
    public async Task A_disabled_account_loses_its_session_within_a_minute()
    {
        var (email, _) = await NewUser(Roles.Clinician);
        var client = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, email, Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);

        await Change((s, db) => DisableUser.Handle(s, db, app.Clock, Actor.System, email, disable: true));
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
        var again = await app.AnonymousClient().PostAsJsonAsync("api/session", new { email, password = Password, code = await app.NextCodeAsync(email) });
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Equal(SignInUser.Failed, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_removed_role_takes_effect_within_a_minute()
    {
        var (email, _) = await NewUser(Roles.Clinician);
        var client = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, email, Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);

        await Change((s, db) => ChangeRole.Set(s, db, app.Clock, Actor.System, email, Roles.ServiceManager));
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, email, Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("api/people/search", SearchDemoPerson)).StatusCode);

        await Change((s, db) => ChangeRole.Remove(s, db, app.Clock, Actor.System, email, Roles.ServiceManager));
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/audit")).StatusCode);
    }

    [Theory]
    [InlineData("signin", false)]
    [InlineData("", true)]
    [InlineData("people", true)]
    [InlineData("api/audit", true)]
    [InlineData("fhir/metadata", false)]
    [InlineData("fhir/HealthcareService", true)]
    [InlineData("assets/app.css", false)]
    public async Task Every_response_carries_the_security_headers(string path, bool signedIn)
    {
        var client = signedIn ? await app.ClientFor(path.StartsWith("api/audit", StringComparison.Ordinal) ? Roles.Administrator : Roles.Clinician) : app.AnonymousClient();
        var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var scriptSrc = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src", StringComparison.Ordinal));
        Assert.DoesNotContain("'unsafe-inline'", scriptSrc, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        if (!path.StartsWith("assets", StringComparison.Ordinal))
        {
            Assert.True(response.Headers.CacheControl?.NoStore, $"{path} lacks Cache-Control: no-store");
        }

        // HSTS on https only: here, https as a reverse proxy on this machine reports it.
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        using var https = new HttpRequestMessage(HttpMethod.Get, path);
        https.Headers.Add("X-Forwarded-Proto", "https");
        var secure = await client.SendAsync(https);
        Assert.StartsWith("max-age=31536000", Assert.Single(secure.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_form_each_role_can_reach_carries_an_antiforgery_token_and_a_post_without_one_is_refused()
    {
        var posts = new Dictionary<string, (HttpClient Client, string? Handler)>();
        var formsSeen = 0;
        foreach (var role in Roles.All.Cast<string?>().Prepend(null))
        {
            var client = role is null ? app.AnonymousClient() : await app.ClientFor(role);
            var queue = new Queue<string>(role is null ? ["/signin"] : ["/", "/account/password"]);
            var shapes = new HashSet<string>();
            var visited = 0;
            while (queue.Count > 0 && visited < 60)
            {
                var url = queue.Dequeue();
                if (!shapes.Add(Shape(url)))
                {
                    continue;
                }

                var response = await client.GetAsync(url.TrimStart('/'));
                visited++;
                if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "text/html")
                {
                    continue;
                }

                var html = await response.Content.ReadAsStringAsync();
                foreach (Match form in FormElement().Matches(html))
                {
                    formsSeen++;
                    var method = Attribute(form.Groups[1].Value, "method") ?? "get";
                    if (!method.Equals("post", StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    Assert.True(form.Value.Contains("name=\"__RequestVerificationToken\"", StringComparison.Ordinal), $"{role ?? "signed out"}: a form on {url} has no antiforgery token");
                    var action = WebUtility.HtmlDecode(Attribute(form.Groups[1].Value, "action") ?? url);
                    var handler = HandlerName().Match(form.Value) is { Success: true } h ? h.Groups[1].Value : null;
                    posts[Shape(action) + " " + handler] = (client, handler);
                }

                foreach (Match link in Link().Matches(html))
                {
                    var href = WebUtility.HtmlDecode(link.Groups[1].Value);
                    if (!href.StartsWith("/assets", StringComparison.Ordinal) && !href.StartsWith("/api", StringComparison.Ordinal)
                        && !href.StartsWith("/fhir", StringComparison.Ordinal) && !href.StartsWith("/connect", StringComparison.Ordinal)
                        && !href.Contains("/pdf", StringComparison.Ordinal) && !href.StartsWith("//", StringComparison.Ordinal))
                    {
                        queue.Enqueue(href.Split('#')[0]);
                    }
                }
            }
        }

        Assert.True(formsSeen > 10, $"only {formsSeen} forms were found");
        Assert.Contains(posts.Keys, k => k.StartsWith("/signout", StringComparison.Ordinal));
        foreach (var (target, (client, handler)) in posts)
        {
            var path = target.Split(' ')[0];
            var fields = handler is null ? [] : new Dictionary<string, string> { ["_handler"] = handler };
            var refused = await client.PostAsync(path.TrimStart('/'), new FormUrlEncodedContent(fields));
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{target} without a token answered {refused.StatusCode}");
        }
    }

    [Fact]
    public async Task Too_many_requests_are_answered_429_with_Retry_After_in_each_edges_vocabulary()
    {
        await using var limited = new AftercareApplication(new()
        {
            ["Aftercare:Security:RateLimits:SignInPerMinute"] = "3",
            ["Aftercare:Security:RateLimits:ApiPerMinute"] = "4",
        });
        await limited.InitializeAsync();
        var client = await limited.ClientFor(Roles.Clinician);

        // Per user, /api and /fhir together.
        HttpResponseMessage fhir;
        var sent = 0;
        do
        {
            fhir = await client.GetAsync("fhir/HealthcareService");
        }
        while (fhir.StatusCode != HttpStatusCode.TooManyRequests && ++sent < 10);
        Assert.Equal(HttpStatusCode.TooManyRequests, fhir.StatusCode);
        Assert.True(fhir.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("OperationOutcome", (await fhir.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resourceType").GetString());
        var api = await client.PostAsJsonAsync("api/people/search", SearchDemoPerson);
        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(api.Headers.RetryAfter);

        // Sign-in per client address: one used by ClientFor, then two more, then 429 (page and API).
        var anonymous = limited.AnonymousClient();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("api/session", new { email = "someone@example.org", password = "wrong-password-1" })).StatusCode);
        }

        var session = await anonymous.PostAsJsonAsync("api/session", new { email = "someone@example.org", password = "wrong-password-1" });
        Assert.Equal(HttpStatusCode.TooManyRequests, session.StatusCode);
        Assert.NotNull(session.Headers.RetryAfter);
        var page = await anonymous.Post("signin", "signin", [new("Form.Email", "someone@example.org"), new("Form.Password", "wrong-password-1")]);
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many requests", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<(string Email, string Password)> NewUser(string role, bool enrol = true)
    {
        var email = $"security-{Guid.NewGuid():N}@example.org";
        await Change(async (users, db) =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await AddUser.Handle(users, scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>(), db, app.Clock, Actor.System,
                new AddUser.Command(email, role, null, Password));
        });
        if (enrol)
        {
            // Through the API, as a script would: the key offered, then the first code.
            var client = app.AnonymousClient();
            Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(client, email, Password)).StatusCode);
        }

        return (email, Password);
    }

    private async Task Change<T>(Func<UserManager<AftercareUser>, AftercareDbContext, Task<Aftercare.Domain.Result<T>>> change)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var result = await change(scope.ServiceProvider.GetRequiredService<UserManager<AftercareUser>>(), scope.ServiceProvider.GetRequiredService<AftercareDbContext>());
        Assert.True(result.IsSuccess, string.Join("; ", result.Errors.Select(e => e.Message)));
    }

    private async Task<string> Key(string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AftercareUser>>();
        return (await users.GetAuthenticatorKeyAsync((await users.FindByEmailAsync(email))!))!;
    }

    private static IEnumerable<string> Cookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    private static string Normalised(string html, string email) =>
        FormToken().Replace(html, "TOKEN").Replace(email, "EMAIL", StringComparison.Ordinal);

    /// <summary>A route's shape: ids and numbers replaced, so each kind of page is visited once.</summary>
    private static string Shape(string url) => Number().Replace(GuidPattern().Replace(url.Split('?')[0], "{id}"), "{n}");

    private static string? Attribute(string attributes, string name) =>
        Regex.Match(attributes, $"\\b{name}=\"([^\"]*)\"", RegexOptions.IgnoreCase) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex("<form\\b([^>]*)>.*?</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormElement();

    [GeneratedRegex("name=\"_handler\" value=\"([^\"]+)\"")]
    private static partial Regex HandlerName();

    [GeneratedRegex("href=\"(/[^\"]*)\"")]
    private static partial Regex Link();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"[^\"]+\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex GuidPattern();

    [GeneratedRegex("(?<=/)[0-9]+(?=/|$)")]
    private static partial Regex Number();
}
