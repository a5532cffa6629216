using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.App.Users;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Aftercare.Smart;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;

namespace Aftercare.Tests;

/// <summary>
/// SMART apps as an app meets them (issue 13, "SMART apps"): the patient picker on the consent page,
/// openid fhirUser, refresh tokens, resource-level scopes and the authorize endpoint's refusals, each
/// through the real OAuth dance with an HTTP client.
/// </summary>
public sealed partial class SmartAppTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private readonly AppLaunchTests _launch = new(app);

    [GeneratedRegex("name=\"patient\" value=\"([0-9a-f-]{36})\"")]
    private static partial Regex PickerChoice();

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private HttpClient WithToken(string token)
    {
        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<string> UserId(string role) =>
        await app.Read(db => db.Users.Where(u => u.Email == app.User(role).Email).Select(u => u.Id).FirstAsync());

    /// <summary>The consent page's address for this request, as the authorize endpoint sends the user there.</summary>
    private static async Task<string> ConsentPage(HttpClient user, Dictionary<string, string> request)
    {
        var consent = await user.GetAsync(QueryHelpers.AddQueryString("connect/authorize", request!));
        Assert.Equal(HttpStatusCode.Redirect, consent.StatusCode);
        return consent.Headers.Location!.OriginalString;
    }

    /// <summary>The picker's search, posted as the page's form; returns the page it answers with.</summary>
    private static async Task<string> Find(HttpClient user, string consentPage, string name, DateOnly? dateOfBirth)
    {
        var response = await user.Post(consentPage, "find-patient",
            [new("Find.Name", name), new("Find.DateOfBirth", dateOfBirth?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "")]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A whole launch: the user allows, choosing <paramref name="patient"/> if asked; the app exchanges the code.</summary>
    private async Task<JsonElement> Launch(HttpClient user, string clientId, string scopes, Guid? patient = null)
    {
        var verifier = AppLaunchTests.Base64Url(RandomNumberGenerator.GetBytes(32));
        var code = AppLaunchTests.Code(await AppLaunchTests.Answer(user, _launch.Request(clientId, scopes, verifier), "allow", patient));
        var token = await _launch.Exchange(clientId, code, verifier);
        var body = await Json(token);
        Assert.True(token.IsSuccessStatusCode, body.ToString());
        return body;
    }

    private Task<HttpResponseMessage> Refresh(string clientId, string refreshToken, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["client_id"] = clientId, ["refresh_token"] = refreshToken };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        return app.AnonymousClient().PostAsync("connect/token", new FormUrlEncodedContent(form));
    }

    private async Task<string> Mrn(Guid person) =>
        Uri.EscapeDataString(Aftercare.Fhir.FhirSystems.MrnSystem + "|" + await app.Read(db => db.People.Where(p => p.Id == person).SelectMany(p => p.Identifiers)
            .Where(i => i.Kind == Aftercare.Domain.People.IdentifierKind.Mrn).Select(i => i.Value).FirstAsync()));

    // 1. The patient picker.

    [Fact]
    public async Task The_picker_finds_people_in_the_clinicians_care_by_name_and_date_of_birth_and_the_token_is_for_the_one_chosen()
    {
        await _launch.Register("picker-app", "launch/patient patient/*.rs");
        var person = await _launch.InCareOf(app.User(Roles.Clinician));
        var (family, born) = await app.Read(async db => await db.People.Where(p => p.Id == person).Select(p => new Tuple<string, DateOnly?>(p.FamilyName, p.DateOfBirth)).FirstAsync());
        var user = await app.ClientFor(Roles.Clinician);
        var verifier = AppLaunchTests.Base64Url(RandomNumberGenerator.GetBytes(32));
        var request = _launch.Request("picker-app", "launch/patient patient/*.rs", verifier);
        var consent = await ConsentPage(user, request);

        // The page has no box for an MRN: a name and a date of birth, labelled.
        var page = await user.GetStringAsync(consent);
        Assert.Contains("<label for=\"find-name\">Name</label>", page, StringComparison.Ordinal);
        Assert.Contains("<label for=\"find-dob\">Date of birth</label>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("MRN or NHS number", page, StringComparison.Ordinal);

        var searchesBefore = await app.Read(db => db.AuditEvents.CountAsync(a => a.Action == AuditAction.PeopleSearched));
        var found = await Find(user, consent, family.ToUpperInvariant(), born);
        var choices = PickerChoice().Matches(found).Select(m => Guid.Parse(m.Groups[1].Value)).ToList();
        Assert.Contains(person, choices);
        Assert.Matches("<h2 id=\"found-title\" role=\"status\">\\d+ (person|people) found</h2>", found);
        Assert.Contains("<legend>Choose the person</legend>", found, StringComparison.Ordinal);
        // Audited as any search of people is, without what was typed.
        Assert.Equal(searchesBefore + 1, await app.Read(db => db.AuditEvents.CountAsync(a => a.Action == AuditAction.PeopleSearched)));
        Assert.DoesNotContain(await app.Read(db => db.AuditEvents.Where(a => a.Action == AuditAction.PeopleSearched).ToListAsync()),
            a => (a.EntityId ?? "").Contains(family, StringComparison.OrdinalIgnoreCase));

        var code = AppLaunchTests.Code(await AppLaunchTests.Answer(user, request, "allow", person));
        var body = await Json(await _launch.Exchange("picker-app", code, verifier));
        Assert.Equal(person.ToString(), body.GetProperty("patient").GetString());
        Assert.Equal(HttpStatusCode.OK, (await WithToken(body.GetProperty("access_token").GetString()!).GetAsync($"fhir/Patient/{person}")).StatusCode);
    }

    [Fact]
    public async Task Someone_outside_the_clinicians_care_team_is_not_found_by_the_picker_nor_given_by_posting_their_id()
    {
        await _launch.Register("picker-outsider", "launch/patient patient/*.rs");
        var person = await _launch.InCareOf(app.User(Roles.Clinician));
        var (family, born) = await app.Read(async db => await db.People.Where(p => p.Id == person).Select(p => new Tuple<string, DateOnly?>(p.FamilyName, p.DateOfBirth)).FirstAsync());

        // The Hillside clinician cares for no one at this site: the search finds no one, not even that a record exists.
        var outsider = await app.ClientFor(app.OtherTeamClinician);
        var request = _launch.Request("picker-outsider", "launch/patient patient/*.rs", AppLaunchTests.Base64Url(RandomNumberGenerator.GetBytes(32)));
        var found = await Find(outsider, await ConsentPage(outsider, request), family, born);
        Assert.Empty(PickerChoice().Matches(found));
        Assert.Contains("No one found", found, StringComparison.Ordinal);
        Assert.Contains("No one in your care matches that", found, StringComparison.Ordinal);
        Assert.DoesNotContain("held by another care team", found, StringComparison.Ordinal);

        // Posting the id by hand gives no code: back to the page, refused and audited.
        var posted = await AppLaunchTests.Answer(outsider, request, "allow", person);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains("problem=not-in-care-team", posted.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("code=", posted.Headers.Location.ToString(), StringComparison.Ordinal);
        Assert.Contains(await app.AuditFor(person), a => a.Action == AuditAction.RecordRefused && a.EntityId == "picker-outsider");

        // An id no one has is answered the same way: nothing says whether it exists.
        var nobody = await AppLaunchTests.Answer(outsider, request, "allow", Guid.NewGuid());
        Assert.Contains("problem=not-in-care-team", nobody.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_search_with_nothing_typed_or_too_many_matches_says_so_and_lists_no_one()
    {
        await _launch.Register("picker-kind", "launch/patient patient/*.rs");
        var user = await app.ClientFor(Roles.Clinician);
        var consent = await ConsentPage(user, _launch.Request("picker-kind", "launch/patient patient/*.rs", AppLaunchTests.Base64Url(RandomNumberGenerator.GetBytes(32))));

        var empty = await Find(user, consent, "  ", null);
        Assert.Contains("Enter their name, their date of birth, or both.", empty, StringComparison.Ordinal);
        Assert.Contains("role=\"alert\"", empty, StringComparison.Ordinal);

        // The letter shared by most names in the clinician's care.
        var userId = await UserId(Roles.Clinician);
        var names = await app.Read(db => db.People.Where(p => Aftercare.App.Access.RecordAccess.CareTeam(db, userId).Contains(p.Id)).Select(p => p.GivenName + " " + p.FamilyName).ToListAsync());
        var letter = "aeinorst".OrderByDescending(c => names.Count(n => n.Contains(c, StringComparison.OrdinalIgnoreCase))).First();
        Assert.True(names.Count(n => n.Contains(letter, StringComparison.OrdinalIgnoreCase)) > AuthorizeApp.PickerLimit, "the demo data has enough people in the clinician's care");
        var many = await Find(user, consent, letter.ToString(), null);
        Assert.Contains($"More than {AuthorizeApp.PickerLimit} people found", many, StringComparison.Ordinal);
        Assert.Contains("Add their date of birth, or more of their name", many, StringComparison.Ordinal);
        Assert.Empty(PickerChoice().Matches(many));
    }

    // 2. openid fhirUser.

    [Fact]
    public async Task An_app_asking_for_openid_fhirUser_gets_a_signed_id_token_naming_the_users_Practitioner_which_it_can_read()
    {
        var configuration = await app.AnonymousClient().GetFromJsonAsync<JsonElement>(".well-known/smart-configuration");
        Assert.Contains("openid", configuration.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("fhirUser", configuration.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("sso-openid-connect", configuration.GetProperty("capabilities").EnumerateArray().Select(e => e.GetString()));

        await _launch.Register("sso-app", "openid fhirUser user/*.rs");
        var body = await Launch(await app.ClientFor(Roles.Clinician), "sso-app", "openid fhirUser user/*.rs");
        var idToken = body.GetProperty("id_token").GetString()!;

        // Signed with a key the server publishes at jwks_uri, by this issuer, for this app.
        var keys = new JsonWebKeySet(await app.AnonymousClient().GetStringAsync(configuration.GetProperty("jwks_uri").GetString()));
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidIssuer = app.BaseAddress.ToString(),
            ValidAudience = "sso-app",
            // The server runs on the tests' fake clock; the lifetime is checked against it below.
            ValidateLifetime = false,
        });
        Assert.True(validated.IsValid, validated.Exception?.Message);
        var token = (JsonWebToken)validated.SecurityToken;
        Assert.True(token.ValidTo > app.Clock.GetUtcNow().UtcDateTime);

        var userId = await UserId(Roles.Clinician);
        var fhirUser = token.GetClaim("fhirUser").Value;
        Assert.Equal(new Uri(app.BaseAddress, $"fhir/Practitioner/{userId}").ToString(), fhirUser);
        Assert.Equal(userId, token.Subject);

        // The URL resolves, with the app's own access token.
        var practitioner = await WithToken(body.GetProperty("access_token").GetString()!).GetAsync(fhirUser);
        var read = await Json(practitioner);
        Assert.True(practitioner.StatusCode == HttpStatusCode.OK, read.ToString());
        Assert.Equal("Practitioner", read.GetProperty("resourceType").GetString());
        Assert.Equal(userId, read.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Without_openid_there_is_no_id_token()
    {
        await _launch.Register("no-sso-app", "user/*.rs");
        var body = await Launch(await app.ClientFor(Roles.Clinician), "no-sso-app", "user/*.rs");
        Assert.False(body.TryGetProperty("id_token", out _));
    }

    // 3. Refresh tokens.

    [Fact]
    public async Task Online_access_gives_a_refresh_token_that_renews_with_the_same_or_fewer_scopes_and_ends_when_the_user_signs_out()
    {
        // The aftercare worker (who may write) is used by no other test of this class: signing them out ends every session of theirs.
        await _launch.Register("online-app", "user/*.rs user/*.cud online_access");
        var worker = app.User(Roles.AftercareWorker);
        var session = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };
        Assert.Equal(HttpStatusCode.NoContent, (await app.SignInAsync(session, worker.Email, worker.Password)).StatusCode);
        var body = await Launch(session, "online-app", "user/*.rs user/*.cud online_access");
        Assert.Contains("online_access", body.GetProperty("scope").GetString()!.Split(' '));
        var refresh = body.GetProperty("refresh_token").GetString()!;

        // Kept no longer than the session: eight hours after sign-in at most.
        var expires = await app.Read(db => db.Set<OpenIddictEntityFrameworkCoreToken>().Where(t => t.Type == OpenIddictConstants.TokenTypeIdentifiers.RefreshToken && t.Application!.ClientId == "online-app").Select(t => t.ExpirationDate).SingleAsync());
        Assert.True(expires <= app.Clock.GetUtcNow().UtcDateTime.AddHours(8), $"{expires}");

        // The same scopes again.
        var renewed = await Refresh("online-app", refresh);
        var again = await Json(renewed);
        Assert.True(renewed.IsSuccessStatusCode, again.ToString());
        Assert.Equal(["online_access", "user/*.cud", "user/*.rs"], again.GetProperty("scope").GetString()!.Split(' ').Order(StringComparer.Ordinal));

        // Fewer: reading only; the new token reads and cannot write.
        var fewer = await Refresh("online-app", again.GetProperty("refresh_token").GetString()!, "user/*.rs online_access");
        var narrowed = await Json(fewer);
        Assert.True(fewer.IsSuccessStatusCode, narrowed.ToString());
        Assert.Equal(["online_access", "user/*.rs"], narrowed.GetProperty("scope").GetString()!.Split(' ').Order(StringComparer.Ordinal));
        var reader = WithToken(narrowed.GetProperty("access_token").GetString()!);
        var person = await _launch.InCareOf(worker);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"fhir/Patient/{person}")).StatusCode);
        var plan = """{"resourceType":"CarePlan","status":"draft","intent":"plan","subject":{"reference":"Patient/PERSON"}}""".Replace("PERSON", person.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("fhir/CarePlan", new StringContent(plan, Encoding.UTF8, "application/fhir+json"))).StatusCode);

        // More than was granted is refused.
        var more = await Refresh("online-app", narrowed.GetProperty("refresh_token").GetString()!, "user/*.cruds");
        Assert.Equal(HttpStatusCode.BadRequest, more.StatusCode);

        // Signed out: the session is over, and so is the app's refresh token.
        var latest = narrowed.GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await session.DeleteAsync("api/session")).StatusCode);
        var ended = await Refresh("online-app", latest);
        var refused = await Json(ended);
        Assert.Equal(HttpStatusCode.BadRequest, ended.StatusCode);
        Assert.Equal("invalid_grant", refused.GetProperty("error").GetString());
        Assert.Contains("session has ended", refused.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_access_is_simply_not_granted_unless_the_server_is_configured_for_it()
    {
        await _launch.Register("offline-app", "user/*.rs offline_access");
        var user = await app.ClientFor(Roles.Clinician);
        var consent = await user.GetStringAsync(await ConsentPage(user, _launch.Request("offline-app", "user/*.rs offline_access", "x")));
        Assert.DoesNotContain("after you sign out", consent, StringComparison.Ordinal);

        var body = await Launch(user, "offline-app", "user/*.rs offline_access");
        Assert.Equal("user/*.rs", body.GetProperty("scope").GetString());
        Assert.False(body.TryGetProperty("refresh_token", out _));
        var configuration = await app.AnonymousClient().GetFromJsonAsync<JsonElement>(".well-known/smart-configuration");
        Assert.DoesNotContain("offline_access", configuration.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("permission-offline", configuration.GetProperty("capabilities").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_refresh_token_of_a_revoked_app_is_refused()
    {
        await _launch.Register("revoked-app", "user/*.rs online_access");
        var body = await Launch(await app.ClientFor(Roles.Clinician), "revoked-app", "user/*.rs online_access");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.True((await RegisterClient.Revoke(scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(), "revoked-app")).IsSuccess);
        }

        var refused = await Refresh("revoked-app", body.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.False((await Json(refused)).TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task With_offline_access_configured_the_refresh_token_outlives_the_session_but_not_a_disabled_account()
    {
        await using var offline = new AftercareApplication(new() { [$"{SmartOptions.Section}:OfflineAccess"] = "true" });
        await offline.InitializeAsync();
        var launch = new AppLaunchTests(offline);
        await launch.Register("offline-on", "user/*.rs offline_access");
        var configuration = await offline.AnonymousClient().GetFromJsonAsync<JsonElement>(".well-known/smart-configuration");
        Assert.Contains("permission-offline", configuration.GetProperty("capabilities").EnumerateArray().Select(e => e.GetString()));

        var worker = offline.User(Roles.AftercareWorker);
        var session = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = offline.BaseAddress };
        Assert.Equal(HttpStatusCode.NoContent, (await offline.SignInAsync(session, worker.Email, worker.Password)).StatusCode);
        var verifier = AppLaunchTests.Base64Url(RandomNumberGenerator.GetBytes(32));
        var code = AppLaunchTests.Code(await AppLaunchTests.Answer(session, launch.Request("offline-on", "user/*.rs offline_access", verifier), "allow", null));
        var body = await Json(await launch.Exchange("offline-on", code, verifier));
        Assert.Contains("offline_access", body.GetProperty("scope").GetString()!.Split(' '));

        // Signed out, the app still renews: that is what offline means.
        Assert.Equal(HttpStatusCode.NoContent, (await session.DeleteAsync("api/session")).StatusCode);
        var form = (string token) => new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["client_id"] = "offline-on", ["refresh_token"] = token });
        var renewed = await offline.AnonymousClient().PostAsync("connect/token", form(body.GetProperty("refresh_token").GetString()!));
        var again = await Json(renewed);
        Assert.True(renewed.IsSuccessStatusCode, again.ToString());

        // A disabled account: refused.
        await using (var scope = offline.Services.CreateAsyncScope())
        {
            var admin = new App.Actor("admin-test", "admin@test", [Roles.Administrator]);
            var disabled = await DisableUser.Handle(scope.ServiceProvider.GetRequiredService<UserManager<App.Data.AftercareUser>>(), scope.ServiceProvider.GetRequiredService<App.Data.AftercareDbContext>(),
                offline.Clock, admin, worker.Email, disable: true);
            Assert.True(disabled.IsSuccess);
        }

        var refused = await offline.AnonymousClient().PostAsync("connect/token", form(again.GetProperty("refresh_token").GetString()!));
        var answer = await Json(refused);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_grant", answer.GetProperty("error").GetString());
    }

    // 4. Resource-level scopes.

    [Fact]
    public async Task A_token_for_patient_CarePlan_rs_reads_and_searches_that_persons_care_plans_and_is_forbidden_everything_else()
    {
        await _launch.Register("careplan-app", "launch/patient patient/CarePlan.rs");
        // A safety plan for someone in the clinician's care, written as the clinician.
        var person = await _launch.InCareOf(app.User(Roles.Clinician));
        var clinician = await app.ClientFor(Roles.Clinician);
        var written = await clinician.PostAsync("fhir/CarePlan", FhirTests.Json(FhirTests.SafetyPlanResource(person, "Walk by the river")));
        Assert.True(written.IsSuccessStatusCode, await written.Content.ReadAsStringAsync());
        var body = await Launch(await app.ClientFor(Roles.Clinician), "careplan-app", "launch/patient patient/CarePlan.rs", person);
        Assert.Equal("launch/patient patient/CarePlan.rs", string.Join(' ', body.GetProperty("scope").GetString()!.Split(' ').Order(StringComparer.Ordinal)));
        var client = WithToken(body.GetProperty("access_token").GetString()!);

        var search = await client.GetAsync($"fhir/CarePlan?patient=Patient/{person}");
        var bundle = await Json(search);
        Assert.True(search.StatusCode == HttpStatusCode.OK, bundle.ToString());
        Assert.True(bundle.GetProperty("total").GetInt32() > 0);
        var id = bundle.GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"fhir/CarePlan/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("fhir/CarePlan/_search", new FormUrlEncodedContent(new Dictionary<string, string> { ["patient"] = $"Patient/{person}" }))).StatusCode);

        var encounter = await app.Read(db => db.Presentations.Where(p => p.PersonId == person).Select(p => p.Id).FirstAsync());
        var refusedBefore = await app.Read(db => db.AuditEvents.CountAsync(a => a.Action == AuditAction.FhirRefused));
        foreach (var refused in new[]
        {
            await client.GetAsync($"fhir/Patient?identifier={await Mrn(person)}"),
            await client.GetAsync($"fhir/Patient/{person}"),
            await client.GetAsync($"fhir/Encounter/{encounter}"),
            await client.PutAsync($"fhir/CarePlan/{id}", new StringContent("{\"resourceType\":\"CarePlan\"}", Encoding.UTF8, "application/fhir+json")),
            await client.PostAsync("fhir/CarePlan", new StringContent("{\"resourceType\":\"CarePlan\"}", Encoding.UTF8, "application/fhir+json")),
            await client.PostAsync("fhir", new StringContent("{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}", Encoding.UTF8, "application/fhir+json")),
        })
        {
            var outcome = await Json(refused);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{refused.RequestMessage!.Method} {refused.RequestMessage.RequestUri}: {refused.StatusCode} {outcome}");
            Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
            Assert.Equal("forbidden", outcome.GetProperty("issue")[0].GetProperty("code").GetString());
            Assert.Contains("insufficient_scope", refused.Headers.NonValidated["WWW-Authenticate"].ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(refusedBefore + 6, await app.Read(db => db.AuditEvents.CountAsync(a => a.Action == AuditAction.FhirRefused)));
    }

    [Fact]
    public async Task A_v1_user_Patient_read_token_reads_people_and_nothing_else()
    {
        await _launch.Register("patient-reader", "user/Patient.read");
        var body = await Launch(await app.ClientFor(Roles.Clinician), "patient-reader", "user/Patient.read");
        var client = WithToken(body.GetProperty("access_token").GetString()!);
        var person = await _launch.InCareOf(app.User(Roles.Clinician));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"fhir/Patient/{person}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"fhir/Patient?identifier={await Mrn(person)}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"fhir/Encounter?patient=Patient/{person}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"fhir/CarePlan?patient=Patient/{person}")).StatusCode);
    }

    [Fact]
    public async Task A_backend_service_with_system_Encounter_rs_searches_encounters_and_reads_no_one()
    {
        var key = await SmartClients.Register(app, "encounters-only", Roles.Clinician, "system/Encounter.rs");
        var response = await SmartClients.RequestToken(app.AnonymousClient(), SmartClients.Assertion(app, key, "encounters-only"), "system/Encounter.rs");
        var body = await Json(response);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.Equal("system/Encounter.rs", body.GetProperty("scope").GetString());
        var client = WithToken(body.GetProperty("access_token").GetString()!);
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"fhir/Encounter?patient=Patient/{person}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"fhir/Patient/{person}")).StatusCode);

        // A narrower scope than registered may be asked for; a wider one may not.
        var narrower = await SmartClients.RequestToken(app.AnonymousClient(), SmartClients.Assertion(app, key, "encounters-only"), "system/Encounter.s");
        Assert.True(narrower.IsSuccessStatusCode, await narrower.Content.ReadAsStringAsync());
        var wider = await SmartClients.RequestToken(app.AnonymousClient(), SmartClients.Assertion(app, key, "encounters-only"), "system/Encounter.cruds");
        Assert.Equal("invalid_scope", (await Json(wider)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_v2_scope_written_out_of_order_or_unknown_is_refused_at_registration()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        foreach (var bad in new[] { "patient/CarePlan.sr", "patient/CarePlan.rr", "patient/careplan.rs", "patient/CarePlan.rs?category=x", "system/*.read" })
        {
            var result = await RegisterClient.HandleApp(applications, "bad-scope-" + Guid.NewGuid().ToString("N")[..8], null, [AppLaunchTests.Callback], [bad]);
            Assert.False(result.IsSuccess, bad);
            Assert.Equal("scopes", Assert.Single(result.Errors).Field);
        }
    }

    // 5. The authorize endpoint's refusals, and pruning.

    [Fact]
    public async Task The_authorize_endpoint_tells_the_app_invalid_scope_for_a_scope_it_is_not_registered_for()
    {
        await _launch.Register("narrow-app", "launch/patient patient/CarePlan.rs");
        var user = await app.ClientFor(Roles.Clinician);
        foreach (var scopes in new[] { "launch/patient user/*.write", "launch/patient patient/Patient.rs", "launch/patient patient/CarePlan.cruds", "launch/patient made-up" })
        {
            var refused = await user.GetAsync(QueryHelpers.AddQueryString("connect/authorize", _launch.Request("narrow-app", scopes, "verifier-" + Guid.NewGuid())!));
            Assert.True(refused.StatusCode == HttpStatusCode.Redirect, $"{scopes}: {refused.StatusCode} {await refused.Content.ReadAsStringAsync()}");
            var location = refused.Headers.Location!;
            Assert.StartsWith(AppLaunchTests.Callback, location.ToString(), StringComparison.Ordinal);
            var answer = QueryHelpers.ParseQuery(location.Query);
            Assert.Equal("invalid_scope", answer["error"].ToString());
            Assert.Equal("state-narrow-app", answer["state"].ToString());
            Assert.False(answer.ContainsKey("code"));
        }

        // A narrower scope than registered is fine.
        var narrower = await user.GetAsync(QueryHelpers.AddQueryString("connect/authorize", _launch.Request("narrow-app", "launch/patient patient/CarePlan.r", "v")!));
        Assert.StartsWith(AppLaunch.ConsentPage, narrower.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_aud_that_is_not_this_FHIR_server_or_none_at_all_is_refused_at_authorize()
    {
        await _launch.Register("aud-app", "user/*.rs");
        var user = await app.ClientFor(Roles.Clinician);
        var elsewhere = _launch.Request("aud-app", "user/*.rs", "v");
        elsewhere["aud"] = "https://elsewhere.example/fhir";
        var missing = _launch.Request("aud-app", "user/*.rs", "v");
        missing.Remove("aud");
        foreach (var (request, because) in new[] { (elsewhere, "aud names another server"), (missing, "aud is required") })
        {
            var refused = await user.GetAsync(QueryHelpers.AddQueryString("connect/authorize", request!));
            var location = refused.Headers.Location!;
            Assert.StartsWith(AppLaunchTests.Callback, location.ToString(), StringComparison.Ordinal);
            var answer = QueryHelpers.ParseQuery(location.Query);
            Assert.Equal("invalid_request", answer["error"].ToString());
            Assert.Contains(because, answer["error_description"].ToString(), StringComparison.Ordinal);
        }

        // With a trailing slash it is still this server.
        var slash = _launch.Request("aud-app", "user/*.rs", "v");
        slash["aud"] = _launch.Aud + "/";
        Assert.StartsWith(AppLaunch.ConsentPage, (await user.GetAsync(QueryHelpers.AddQueryString("connect/authorize", slash!))).Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_used_assertion_is_pruned_and_a_live_one_is_kept_and_still_refused()
    {
        var key = await SmartClients.Register(app, "prune-ed", Roles.Clinician, SmartSetup.ReadScope);
        var live = SmartClients.Assertion(app, key, "prune-ed");
        Assert.True((await SmartClients.RequestToken(app.AnonymousClient(), live, SmartSetup.ReadScope)).IsSuccessStatusCode);

        // One used ten minutes ago, expired five minutes later, as the replay check stores it.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var now = app.Clock.GetUtcNow();
            await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().CreateAsync(new OpenIddictTokenDescriptor
            {
                CreationDate = now.AddMinutes(-10), ExpirationDate = now.AddMinutes(-5), ReferenceId = SmartClientAssertions.Replay.ReferenceOf("prune-ed", "expired-jti"),
                Status = OpenIddictConstants.Statuses.Redeemed, Subject = "prune-ed", Type = SmartClientAssertions.Replay.UsedAssertionType,
            });
        }

        var used = () => app.Read(db => db.Set<OpenIddictEntityFrameworkCoreToken>().Where(t => t.Subject == "prune-ed" && t.Type == SmartClientAssertions.Replay.UsedAssertionType).CountAsync());
        Assert.Equal(2, await used());
        var pruning = app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<UsedAssertionPruning>().Single();
        Assert.True(await pruning.RunOnceAsync(default) >= 1);

        Assert.Equal(1, await used());
        var replayed = await SmartClients.RequestToken(app.AnonymousClient(), live, SmartSetup.ReadScope);
        Assert.Contains("used already", await replayed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
