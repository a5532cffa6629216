using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.Domain.Audit;
using Aftercare.Domain.People;
using Aftercare.Domain.Users;
using Aftercare.Smart;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Aftercare.Tests;

/// <summary>SMART App Launch v2 (standalone): authorization code with PKCE, consent, a patient context that holds.</summary>
public sealed partial class AppLaunchTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    internal const string Callback = "http://127.0.0.1:9/callback";

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal async Task Register(string clientId, string scopes)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var registered = await RegisterClient.HandleApp(scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(), clientId, "Safety Plan Companion (demo app)", [Callback], scopes.Split(' '));
        Assert.True(registered.IsSuccess, string.Join("; ", registered.Errors.Select(e => e.Message)));
    }

    /// <summary>This server's FHIR base, as an app names it in aud.</summary>
    internal string Aud => new Uri(app.BaseAddress, "fhir").ToString();

    internal Dictionary<string, string> Request(string clientId, string scopes, string verifier) => new()
    {
        ["response_type"] = "code",
        ["aud"] = Aud,
        ["client_id"] = clientId,
        ["redirect_uri"] = Callback,
        ["scope"] = scopes,
        ["state"] = "state-" + clientId,
        ["code_challenge"] = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
        ["code_challenge_method"] = "S256",
    };

    /// <summary>What the consent page's Allow or Deny button posts, with the page's form token.</summary>
    internal static async Task<HttpResponseMessage> Answer(HttpClient user, Dictionary<string, string> request, string decision, Guid? patient)
    {
        var consent = await user.GetAsync(QueryHelpers.AddQueryString("connect/authorize", request!));
        Assert.Equal(HttpStatusCode.Redirect, consent.StatusCode);
        Assert.StartsWith(AppLaunch.ConsentPage, consent.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var page = await user.GetStringAsync(consent.Headers.Location.OriginalString);
        Assert.Contains("Safety Plan Companion (demo app)", page, StringComparison.Ordinal);
        var form = new Dictionary<string, string>(request) { ["decision"] = decision, ["__RequestVerificationToken"] = FormToken().Match(page).Groups[1].Value };
        if (patient is not null)
        {
            form[AppLaunch.PatientField] = patient.Value.ToString();
        }

        return await user.PostAsync("connect/authorize", new FormUrlEncodedContent(form));
    }

    internal async Task<HttpResponseMessage> Exchange(string clientId, string code, string verifier) =>
        await app.AnonymousClient().PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = clientId,
            ["redirect_uri"] = Callback,
            ["code"] = code,
            ["code_verifier"] = verifier,
        }));

    internal static string Code(HttpResponseMessage redirect)
    {
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        var location = redirect.Headers.Location!;
        Assert.StartsWith(Callback, location.ToString(), StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(location.Query)["code"].ToString();
    }

    [Fact]
    public async Task An_app_launched_for_one_person_reads_that_persons_record_and_no_one_elses()
    {
        await Register("companion-app", "launch/patient patient/*.read");
        var (person, other) = await app.Read(async db =>
        {
            var people = await db.People.OrderBy(p => p.Id).Take(2).ToListAsync();
            return (people[0].Id, people[1].Id);
        });
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var request = Request("companion-app", "launch/patient patient/*.read", verifier);

        // Signed out: sent to sign in first, and back here after.
        var anonymous = await app.AnonymousClient().GetAsync(QueryHelpers.AddQueryString("connect/authorize", request!));
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/signin", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);

        var user = await app.ClientFor(Roles.Clinician);
        var code = Code(await Answer(user, request, "allow", person));
        var token = await Exchange("companion-app", code, verifier);
        var body = JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement;
        Assert.True(token.IsSuccessStatusCode, body.ToString());
        Assert.Equal(person.ToString(), body.GetProperty("patient").GetString());
        Assert.Contains("patient/*.read", body.GetProperty("scope").GetString(), StringComparison.Ordinal);

        var appClient = app.AnonymousClient();
        appClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await appClient.GetAsync($"fhir/Patient/{person}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await appClient.GetAsync($"fhir/Encounter?patient=Patient/{person}")).StatusCode);

        // Someone else's record is refused and the refusal is audited; so is writing.
        var refusedBefore = await app.Read(db => db.AuditEvents.CountAsync(a => a.Action == AuditAction.FhirRefused));
        // Outside its one person the app is answered as if there were no one there (issue 17).
        var elsewhere = await appClient.GetAsync($"fhir/Patient/{other}");
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Equal($"Patient/{other} was not found.", JsonDocument.Parse(await elsewhere.Content.ReadAsStringAsync()).RootElement.GetProperty("issue")[0].GetProperty("diagnostics").GetString());
        var search = await appClient.GetAsync($"fhir/Encounter?patient=Patient/{other}");
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await search.Content.ReadAsStringAsync()).RootElement.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, (await appClient.PostAsync("fhir", new StringContent("{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}", Encoding.UTF8, "application/fhir+json"))).StatusCode);
        Assert.Equal(refusedBefore + 3, await app.Read(db => db.AuditEvents.CountAsync(a => a.Action == AuditAction.FhirRefused)));
        Assert.DoesNotContain(await app.AuditFor(other), a => a.Action == AuditAction.PersonViewed && a.Actor == app.User(Roles.Clinician).Email && a.EntityId == "fhir read Patient");
        Assert.Contains(await app.AuditFor(person), a => a.Action == AuditAction.AppAuthorised && a.EntityId == "companion-app");

        // A code is used once.
        Assert.False((await Exchange("companion-app", code, verifier)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_code_stolen_without_its_PKCE_verifier_gets_no_token()
    {
        var (user, request, person) = await Launching("companion-app-pkce");
        var code = Code(await Answer(user, request, "allow", person));
        var stolen = await Exchange("companion-app-pkce", code, Base64Url(RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
        Assert.Contains("invalid_grant", await stolen.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allowing_without_choosing_anyone_goes_back_to_the_page_and_gives_no_code()
    {
        var (user, request, _) = await Launching("companion-app-unchosen");
        var unchosen = await Answer(user, request, "allow", null);
        Assert.Equal(HttpStatusCode.Redirect, unchosen.StatusCode);
        var location = unchosen.Headers.Location!.ToString();
        Assert.StartsWith(AppLaunch.ConsentPage, location, StringComparison.Ordinal);
        Assert.Contains("problem=choose", location, StringComparison.Ordinal);
        Assert.Contains("Find the person the app is for", await user.GetStringAsync(location), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusing_an_app_sends_it_back_access_denied_without_a_token()
    {
        var (user, request, _) = await Launching("companion-app-deny");
        var denied = await Answer(user, request, "deny", null);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("error=access_denied", denied.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_manager_cannot_launch_an_app_onto_a_record()
    {
        // Roles still rule.
        var (_, request, _) = await Launching("companion-app-manager");
        var manager = await app.ClientFor(Roles.ServiceManager);
        var refused = await manager.GetAsync(QueryHelpers.AddQueryString("connect/authorize", request!));
        Assert.Contains("error=access_denied", refused.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A registered app asking to launch onto a record, an aftercare worker answering, and someone in the worker's care they may choose.</summary>
    private async Task<(HttpClient User, Dictionary<string, string> Request, Guid Person)> Launching(string clientId)
    {
        await Register(clientId, "launch/patient patient/*.read");
        var request = Request(clientId, "launch/patient patient/*.read", Base64Url(RandomNumberGenerator.GetBytes(32)));
        var user = await app.ClientFor(Roles.AftercareWorker);
        return (user, request, await InCareOf(app.User(Roles.AftercareWorker)));
    }

    /// <summary>Someone in this user's care team.</summary>
    internal async Task<Guid> InCareOf(Aftercare.App.Demo.DemoData.DemoUser user)
    {
        var id = await app.Read(db => db.Users.Where(u => u.Email == user.Email).Select(u => u.Id).FirstAsync());
        return await app.Read(db => Aftercare.App.Access.RecordAccess.CareTeam(db, id).OrderBy(p => p).FirstAsync());
    }

    [Fact]
    public async Task An_app_cannot_be_given_the_record_of_someone_outside_the_users_care_team()
    {
        await Register("companion-app-3", "launch/patient patient/*.read");
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var request = Request("companion-app-3", "launch/patient patient/*.read", verifier);
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());

        // The Hillside clinician has no one in their care: the person is held by another care team.
        var outsider = await app.ClientFor(app.OtherTeamClinician);
        var refused = await Answer(outsider, request, "allow", person);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var location = refused.Headers.Location!.ToString();
        Assert.StartsWith(AppLaunch.ConsentPage, location, StringComparison.Ordinal);
        Assert.Contains("problem=not-in-care-team", location, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", location, StringComparison.Ordinal);
        Assert.DoesNotContain(person.ToString(), location, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("held by another care team", await outsider.GetStringAsync(location), StringComparison.Ordinal);
        Assert.Contains(await app.AuditFor(person), a => a.Action == AuditAction.RecordRefused && a.EntityId == "companion-app-3");
        Assert.DoesNotContain(await app.AuditFor(person), a => a.Action == AuditAction.AppAuthorised && a.EntityId == "companion-app-3");
    }
}
