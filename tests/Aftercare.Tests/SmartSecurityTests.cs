using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aftercare.Domain.People;
using Aftercare.Domain.Users;
using Aftercare.Hosting;
using Aftercare.Smart;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;

namespace Aftercare.Tests;

/// <summary>
/// SMART without holes (issue 13, "Security first"): an assertion is used once and lives five
/// minutes at most, PKCE is S256 only, and every refusal says why in the way OAuth clients read it.
/// </summary>
public sealed class SmartSecurityTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private string TokenEndpoint => new Uri(app.BaseAddress, "connect/token").ToString();

    private string FhirBase => new Uri(app.BaseAddress, "fhir").ToString();

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>The WWW-Authenticate header as sent.</summary>
    private static string Challenge(HttpResponseMessage response) => response.Headers.NonValidated["WWW-Authenticate"].ToString();

    private HttpClient WithToken(string token)
    {
        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<string> Token(string clientId, params string[] scopes)
    {
        var key = await SmartClients.Register(app, clientId, Roles.Clinician, scopes);
        var response = await SmartClients.RequestToken(app.AnonymousClient(), SmartClients.Assertion(app, key, clientId), string.Join(' ', scopes));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await Json(response)).GetProperty("access_token").GetString()!;
    }

    private static async Task AssertInvalidClient(HttpResponseMessage response, string because)
    {
        var body = await Json(response);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body.ToString());
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.Contains(because, body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task A_client_assertion_sent_twice_gives_one_token()
    {
        var key = await SmartClients.Register(app, "replay-ed", Roles.Clinician, SmartSetup.ReadScope);
        var assertion = SmartClients.Assertion(app, key, "replay-ed", TokenEndpoint, "JWT", TimeSpan.FromMinutes(4), Guid.NewGuid().ToString());

        var first = await SmartClients.RequestToken(app.AnonymousClient(), assertion, SmartSetup.ReadScope);
        Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        var replayed = await SmartClients.RequestToken(app.AnonymousClient(), assertion, SmartSetup.ReadScope);
        await AssertInvalidClient(replayed, "used already");

        // Only that assertion: the same client with a new one is served.
        Assert.True((await SmartClients.RequestToken(app.AnonymousClient(), SmartClients.Assertion(app, key, "replay-ed"), SmartSetup.ReadScope)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_client_assertion_sent_five_times_at_once_gives_one_token()
    {
        var key = await SmartClients.Register(app, "replay-at-once", Roles.Clinician, SmartSetup.ReadScope);
        var assertion = SmartClients.Assertion(app, key, "replay-at-once", TokenEndpoint, "JWT", TimeSpan.FromMinutes(4), Guid.NewGuid().ToString());
        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => SmartClients.RequestToken(app.AnonymousClient(), assertion, SmartSetup.ReadScope)));
        Assert.Single(answers, a => a.IsSuccessStatusCode);
        foreach (var refused in answers.Where(a => !a.IsSuccessStatusCode))
        {
            await AssertInvalidClient(refused, "used already");
        }
    }

    [Fact]
    public async Task A_used_assertion_is_kept_in_the_database_until_it_expires_and_a_restarted_server_still_refuses_it()
    {
        var key = await SmartClients.Register(app, "replay-restart", Roles.Clinician, SmartSetup.ReadScope);
        var jti = Guid.NewGuid().ToString();
        var expires = app.Clock.GetUtcNow().AddMinutes(4);
        var assertion = SmartClients.Assertion(app, key, "replay-restart", TokenEndpoint, "JWT", TimeSpan.FromMinutes(4), jti);
        Assert.True((await SmartClients.RequestToken(app.AnonymousClient(), assertion, SmartSetup.ReadScope)).IsSuccessStatusCode);

        // Kept in OpenIddict's token table (the jti itself only as OpenIddict's hash), expiring with the assertion.
        var kept = await app.Read(db => db.Set<OpenIddictEntityFrameworkCoreToken>().Where(t => t.Subject == "replay-restart" && t.Type == SmartClientAssertions.Replay.UsedAssertionType).ToListAsync());
        var entry = Assert.Single(kept);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()).UtcDateTime, entry.ExpirationDate);
        Assert.DoesNotContain(jti, entry.ReferenceId, StringComparison.Ordinal);

        // A second server over the same database (a restart: new memory, new OpenIddict caches and
        // keys), at the same public address so the assertion's audience is still its own.
        await using var restarted = Program.BuildWebApp(AftercareApplication.Settings(app.Database, app.Clock, new() { [PublicAddress.Setting] = app.BaseAddress.ToString() }, null));
        await DatabasePreparation.PrepareAsync(restarted, migrate: false, demo: false);
        await restarted.StartAsync();
        try
        {
            var address = restarted.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/") };
            await AssertInvalidClient(await SmartClients.RequestToken(client, assertion, SmartSetup.ReadScope), "used already");
            Assert.True((await SmartClients.RequestToken(client, SmartClients.Assertion(app, key, "replay-restart", TokenEndpoint, "JWT", TimeSpan.FromMinutes(4), Guid.NewGuid().ToString()), SmartSetup.ReadScope)).IsSuccessStatusCode);
        }
        finally
        {
            await restarted.StopAsync();
        }
    }

    [Fact]
    public async Task A_token_from_one_server_is_taken_by_another_sharing_its_keys_folder_and_the_keys_are_kept_protected()
    {
        var token = await Token("shared-keys", SmartSetup.ReadScope);
        var jwks = await (await app.AnonymousClient().GetAsync(SmartSetup.JwksPath.TrimStart('/'))).Content.ReadAsStringAsync();

        // A restarted server, or a second one behind the same address: same database and keys folder.
        await using var second = Program.BuildWebApp(AftercareApplication.Settings(app.Database, app.Clock, new() { [PublicAddress.Setting] = app.BaseAddress.ToString() }, null));
        await DatabasePreparation.PrepareAsync(second, migrate: false, demo: false);
        await second.StartAsync();
        try
        {
            var address = second.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/") };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            // Taken: the read gets as far as finding no such person (without a token it is 401).
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"fhir/Patient/{Guid.NewGuid()}")).StatusCode);
            using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"fhir/Patient/{Guid.NewGuid()}")).StatusCode);
            Assert.Equal(jwks, await (await client.GetAsync(SmartSetup.JwksPath.TrimStart('/'))).Content.ReadAsStringAsync());
        }
        finally
        {
            await second.StopAsync();
        }

        // On disk the private keys are Data Protection payloads, not PEM or DER anyone can read.
        var folder = app.Services.GetRequiredService<Aftercare.App.Data.KeysFolder>().Path;
        foreach (var file in new[] { SmartKeys.SigningFile, SmartKeys.EncryptionFile })
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(folder, file));
            Assert.DoesNotContain("PRIVATE KEY", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
            Assert.Throws<CryptographicException>(() => RSA.Create().ImportPkcs8PrivateKey(bytes, out _));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, file)));
            }
        }
    }

    [Fact]
    public async Task A_server_key_the_keys_folder_cannot_read_stops_the_start_with_its_message()
    {
        var folder = Directory.CreateTempSubdirectory("aftercare-smart-keys-").FullName;
        var keys = Path.Combine(folder, "keys");
        Directory.CreateDirectory(keys);
        await File.WriteAllTextAsync(Path.Combine(keys, SmartKeys.SigningFile), "not a key this folder protected");
        var serve = await CliTests.AftercareWith(new Dictionary<string, string?> { ["Aftercare:DataProtection:KeysFolder"] = keys }, null,
            "serve", "--db", Path.Combine(folder, "aftercare.db"), "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, serve.Code);
        Assert.Contains($"aftercare will not start: The SMART server key {Path.Combine(keys, SmartKeys.SigningFile)} could not be read", serve.Err, StringComparison.Ordinal);
        Assert.Equal("not a key this folder protected", await File.ReadAllTextAsync(Path.Combine(keys, SmartKeys.SigningFile)));
    }

    [Fact]
    public async Task An_assertion_that_lives_longer_than_five_minutes_gets_no_token()
    {
        var key = await SmartClients.Register(app, "long-lived", Roles.Clinician, SmartSetup.ReadScope);
        var hour = SmartClients.Assertion(app, key, "long-lived", TokenEndpoint, "JWT", TimeSpan.FromHours(1), Guid.NewGuid().ToString());
        await AssertInvalidClient(await SmartClients.RequestToken(app.AnonymousClient(), hour, SmartSetup.ReadScope), "more than five minutes ahead");
        var sixMinutes = SmartClients.Assertion(app, key, "long-lived", TokenEndpoint, "JWT", TimeSpan.FromMinutes(6), Guid.NewGuid().ToString());
        await AssertInvalidClient(await SmartClients.RequestToken(app.AnonymousClient(), sixMinutes, SmartSetup.ReadScope), "more than five minutes ahead");
    }

    [Fact]
    public async Task An_assertion_without_a_jti_gets_no_token()
    {
        var key = await SmartClients.Register(app, "no-jti", Roles.Clinician, SmartSetup.ReadScope);
        var assertion = SmartClients.Assertion(app, key, "no-jti", TokenEndpoint, "JWT", TimeSpan.FromMinutes(4), jti: null);
        await AssertInvalidClient(await SmartClients.RequestToken(app.AnonymousClient(), assertion, SmartSetup.ReadScope), "jti");
    }

    /// <summary>An app launch up to the consent page's answer, with the PKCE parameters a test chooses.</summary>
    private async Task<HttpResponseMessage> Authorize(Dictionary<string, string> request)
    {
        var user = await app.ClientFor(Roles.Clinician);
        return await user.GetAsync(QueryHelpers.AddQueryString("connect/authorize", request!));
    }

    /// <summary>Refused as RFC 6749 section 4.1.2.1 says: invalid_request and why, to the app's redirect address or, before that address is checked, on the page itself; never a code.</summary>
    private static async Task AssertRefusedWithoutCode(HttpResponseMessage refused, string because)
    {
        var location = refused.Headers.Location?.ToString() ?? "";
        Assert.DoesNotContain("code=", location, StringComparison.Ordinal);
        Assert.DoesNotContain(AppLaunch.ConsentPage, location, StringComparison.Ordinal);
        if (location.Length > 0)
        {
            Assert.StartsWith(AppLaunchTests.Callback, location, StringComparison.Ordinal);
            var answer = QueryHelpers.ParseQuery(new Uri(location).Query);
            Assert.Equal("invalid_request", answer["error"].ToString());
            Assert.Contains(because, answer["error_description"].ToString(), StringComparison.Ordinal);
        }
        else
        {
            var body = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{refused.StatusCode}: {body}");
            Assert.Contains("invalid_request", body, StringComparison.Ordinal);
            Assert.Contains(because, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_app_offering_plain_PKCE_is_refused_before_anyone_is_asked_and_gets_no_code()
    {
        var launch = new AppLaunchTests(app);
        await launch.Register("pkce-plain-app", "launch/patient patient/*.read");
        var verifier = AppLaunchTests.Base64Url(RandomNumberGenerator.GetBytes(32));
        var plain = launch.Request("pkce-plain-app", "launch/patient patient/*.read", verifier);
        plain["code_challenge"] = verifier;
        plain["code_challenge_method"] = "plain";
        await AssertRefusedWithoutCode(await Authorize(plain), "code_challenge_method");

        // A challenge without a method means plain (RFC 7636 section 4.3): refused too.
        var unnamed = new Dictionary<string, string>(plain);
        unnamed.Remove("code_challenge_method");
        await AssertRefusedWithoutCode(await Authorize(unnamed), "code_challenge_method");

        // Nor can the consent form's answer be posted with plain instead.
        var user = await app.ClientFor(Roles.Clinician);
        var posted = await user.PostAsync("connect/authorize", new FormUrlEncodedContent(new Dictionary<string, string>(plain) { ["decision"] = "allow" }));
        await AssertRefusedWithoutCode(posted, "code_challenge_method");
    }

    [Fact]
    public async Task An_app_using_S256_gets_a_token_for_this_FHIR_server_naming_its_scopes()
    {
        var launch = new AppLaunchTests(app);
        await launch.Register("pkce-s256-app", "launch/patient patient/*.read");
        var verifier = AppLaunchTests.Base64Url(RandomNumberGenerator.GetBytes(32));
        var request = launch.Request("pkce-s256-app", "launch/patient patient/*.read", verifier);
        var person = await launch.InCareOf(app.User(Roles.Clinician));
        var code = AppLaunchTests.Code(await AppLaunchTests.Answer(await app.ClientFor(Roles.Clinician), request, "allow", person));
        var token = await launch.Exchange("pkce-s256-app", code, verifier);
        var body = await Json(token);
        Assert.True(token.IsSuccessStatusCode, body.ToString());
        Assert.Equal(["launch/patient", "patient/*.read"], body.GetProperty("scope").GetString()!.Split(' ').Order(StringComparer.Ordinal));
        Assert.Equal([FhirBase], new JsonWebToken(body.GetProperty("access_token").GetString()).Audiences);
    }

    [Fact]
    public async Task A_read_only_client_asking_to_write_is_told_invalid_scope()
    {
        var key = await SmartClients.Register(app, "read-only-asks-write", Roles.Clinician, SmartSetup.ReadScope);
        var response = await SmartClients.RequestToken(app.AnonymousClient(), SmartClients.Assertion(app, key, "read-only-asks-write"), $"{SmartSetup.ReadScope} {SmartSetup.WriteScope}");
        var body = await Json(response);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body.ToString());
        Assert.Equal("invalid_scope", body.GetProperty("error").GetString());
        Assert.Contains(SmartSetup.WriteScope, body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task A_backend_token_names_its_scopes_and_is_for_this_FHIR_server_only()
    {
        var key = await SmartClients.Register(app, "aud-ed", Roles.Clinician, SmartSetup.ReadScope);
        var response = await SmartClients.RequestToken(app.AnonymousClient(), SmartClients.Assertion(app, key, "aud-ed"), SmartSetup.ReadScope);
        var body = await Json(response);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        // Asked for exactly what it was granted, and still told (OpenIddict alone leaves scope out then).
        Assert.Equal(SmartSetup.ReadScope, body.GetProperty("scope").GetString());
        var token = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal([FhirBase], token.Audiences);
    }

    /// <summary>
    /// An access token signed with this server's own key, as the server would issue it but for the
    /// audience: what a token meant for another resource server on the same authorization server is.
    /// </summary>
    private string SignedByThisServer(string audience)
    {
        var options = app.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
        var now = app.Clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = app.BaseAddress.ToString(),
            Audience = audience,
            TokenType = "at+jwt",
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "aud-forged", ["client_id"] = "aud-forged", ["scope"] = SmartSetup.ReadScope, ["role"] = Roles.Clinician,
                ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"] = App.Actor.BackendServicePrefix + "aud-forged", ["jti"] = Guid.NewGuid().ToString(),
            },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(4),
            SigningCredentials = options.SigningCredentials.First(),
        });
    }

    [Fact]
    public async Task A_token_meant_for_another_server_is_refused_at_fhir_as_invalid_token()
    {
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());

        // The same token for this FHIR base is read: the audience is the only difference.
        Assert.Equal(HttpStatusCode.OK, (await WithToken(SignedByThisServer(FhirBase)).GetAsync($"fhir/Patient/{person}")).StatusCode);

        var elsewhere = await WithToken(SignedByThisServer("https://elsewhere.example/fhir")).GetAsync($"fhir/Patient/{person}");
        Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
        var challenge = Challenge(elsewhere);
        Assert.StartsWith("Bearer ", challenge, StringComparison.Ordinal);
        Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.Contains("OperationOutcome", await elsewhere.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_refusal_at_fhir_carries_a_Bearer_challenge_that_says_why()
    {
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        var realm = $"Bearer realm=\"{FhirBase}\"";

        // No token: the scheme and realm, and no error code (RFC 6750 section 3.1).
        var none = await app.AnonymousClient().GetAsync($"fhir/Patient/{person}");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(realm, Challenge(none));

        // A token that is not one of ours: invalid_token, with the reason.
        var garbage = await WithToken("not-a-token").GetAsync($"fhir/Patient/{person}");
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        var challenge = Challenge(garbage);
        Assert.StartsWith(realm + ", error=\"invalid_token\", error_description=\"", challenge, StringComparison.Ordinal);

        // A good token without the scope for writing: 403 insufficient_scope.
        var reader = WithToken(await Token("challenge-reader", SmartSetup.ReadScope));
        var write = await reader.PostAsync("fhir", new StringContent("{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}", Encoding.UTF8, "application/fhir+json"));
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal(realm + ", error=\"insufficient_scope\"", Challenge(write));
    }
}
