using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Aftercare.Fhir;
using Aftercare.Smart;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace Aftercare.Tests;

/// <summary>SMART on FHIR backend services: client credentials with private_key_jwt, scopes enforced with roles.</summary>
public sealed class SmartTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private Task<RsaSecurityKey> Register(string clientId, string role, params string[] scopes) => SmartClients.Register(app, clientId, role, scopes);

    private Task<HttpResponseMessage> RequestToken(string clientId, RsaSecurityKey key, string scope) =>
        RequestToken(clientId, key, scope, app.BaseAddress.ToString(), "client-authentication+jwt");

    private Task<HttpResponseMessage> RequestToken(string clientId, RsaSecurityKey key, string scope, string audience, string type) =>
        SmartClients.RequestToken(app.AnonymousClient(), SmartClients.Assertion(app, key, clientId, audience, type, TimeSpan.FromMinutes(4), Guid.NewGuid().ToString()), scope);

    private HttpClient WithToken(string token)
    {
        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task The_smart_configuration_advertises_backend_services()
    {
        var configuration = await app.AnonymousClient().GetFromJsonAsync<JsonElement>(".well-known/smart-configuration");
        Assert.EndsWith("/connect/token", configuration.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);
        Assert.Contains("private_key_jwt", configuration.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_backend_service_with_a_signed_assertion_gets_a_token_and_reads_what_its_scopes_allow()
    {
        var key = await Register("ed-system-read", Roles.Clinician, SmartSetup.ReadScope);
        var response = await RequestToken("ed-system-read", key, SmartSetup.ReadScope);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var token = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;

        var client = WithToken(token);
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"fhir/Patient/{person}")).StatusCode);

        // Read scope only: intake is refused, with an OperationOutcome and an audit event.
        var before = await app.Read(db => db.AuditEvents.CountAsync(a => a.Action == AuditAction.FhirRefused));
        var refused = await client.PostAsync("fhir", new StringContent("{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}", Encoding.UTF8, "application/fhir+json"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("OperationOutcome", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before + 1, await app.Read(db => db.AuditEvents.CountAsync(a => a.Action == AuditAction.FhirRefused)));
        Assert.Contains(await app.Read(db => db.AuditEvents.Where(a => a.PersonId == person).ToListAsync()), a => a.Actor == "client:ed-system-read");
    }

    [Fact]
    public async Task A_feeding_system_with_write_scope_sends_a_presentation_in()
    {
        var key = await Register("ed-system-feed", Roles.Clinician, SmartSetup.ReadScope, SmartSetup.WriteScope);
        var token = JsonDocument.Parse(await (await RequestToken("ed-system-feed", key, $"{SmartSetup.ReadScope} {SmartSetup.WriteScope}")).Content.ReadAsStringAsync())
            .RootElement.GetProperty("access_token").GetString()!;
        var mrn = Requests.NewMrn();
        var bundle = """
        {"resourceType":"Bundle","type":"transaction","entry":[
          {"fullUrl":"urn:uuid:PATIENT","resource":{"resourceType":"Patient","identifier":[{"system":"MRNSYSTEM","value":"MRN"}],"name":[{"family":"Smartfeed","given":["Robin"]}],"birthDate":"1990-01-02"},"request":{"method":"POST","url":"Patient"}},
          {"fullUrl":"urn:uuid:ENCOUNTER","resource":{"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"EMER"},"period":{"start":"2026-11-20T07:00:00Z"},"serviceProvider":{"identifier":{"system":"urn:aftercare:site","value":"SITE"}}},"request":{"method":"POST","url":"Encounter"}}
        ]}
        """.Replace("PATIENT", Guid.NewGuid().ToString(), StringComparison.Ordinal).Replace("ENCOUNTER", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("MRNSYSTEM", FhirSystems.MrnSystem, StringComparison.Ordinal).Replace("\"MRN\"", $"\"{mrn}\"", StringComparison.Ordinal)
            .Replace("SITE", Requests.DemoSiteCode, StringComparison.Ordinal);
        var response = await WithToken(token).PostAsync("fhir", new StringContent(bundle, Encoding.UTF8, "application/fhir+json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.True(await app.Read(db => db.People.AnyAsync(p => p.Identifiers.Any(i => i.Value == mrn))));
    }

    [Fact]
    public async Task A_client_written_to_the_SMART_text_alone_gets_a_token_too()
    {
        // SMART Backend Services: aud is the token endpoint and the header says typ JWT.
        var key = await Register("ed-system-smart", Roles.Clinician, SmartSetup.ReadScope);
        var response = await RequestToken("ed-system-smart", key, SmartSetup.ReadScope, new Uri(app.BaseAddress, "connect/token").ToString(), "JWT");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        // The relaxation is only of those two: an assertion meant for some other server is still refused.
        var elsewhere = await RequestToken("ed-system-smart", key, SmartSetup.ReadScope, "https://elsewhere.example/connect/token", "JWT");
        Assert.False(elsewhere.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_forged_assertion_gets_no_token_and_no_token_gets_no_data()
    {
        await Register("ed-system-real", Roles.Clinician, SmartSetup.ReadScope);
        using var other = RSA.Create(2048);
        var forged = await RequestToken("ed-system-real", new RsaSecurityKey(other) { KeyId = "ed-system-real-key" }, SmartSetup.ReadScope);
        Assert.False(forged.IsSuccessStatusCode);
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        var anonymous = await app.AnonymousClient().GetAsync($"fhir/Patient/{person}");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("OperationOutcome", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // Firely's model marks nearly every element nullable; this test asserts the values it reads.
#nullable disable
    [Fact]
    public async Task Firelys_client_with_a_backend_services_token_sends_a_transaction_creates_reads_searches_and_updates_with_If_Match()
    {
        var key = await Register("ed-system-client", Roles.Clinician, SmartSetup.AllScope);
        var tokenResponse = await RequestToken("ed-system-client", key, SmartSetup.AllScope, new Uri(app.BaseAddress, "connect/token").ToString(), "JWT");
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        using var fhir = new Hl7.Fhir.Rest.FhirClient(new Uri(app.BaseAddress, "fhir/"), WithToken(token), new Hl7.Fhir.Rest.FhirClientSettings { PreferredFormat = Hl7.Fhir.Rest.ResourceFormat.Json });

        var intake = await fhir.TransactionAsync(FhirTests.IntakeBundle(Requests.NewMrn(), Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-3)));
        var personId = Guid.Parse(intake!.Entry[0].Response.Location.Split('/')[1]);

        var created = await fhir.CreateAsync(FhirTests.SafetyPlanResource(personId, "Music loud"));
        Assert.Equal("1", created!.Meta.VersionId);
        var read = await fhir.ReadAsync<Hl7.Fhir.Model.CarePlan>($"CarePlan/{created.Id}");
        var found = await fhir.SearchAsync<Hl7.Fhir.Model.CarePlan>([$"patient=Patient/{personId}", "_lastUpdated=ge2026-11-01"]);
        Assert.Equal(created.Id, Assert.Single(found!.Entry).Resource.Id);

        read!.Activity[0].Detail.Description = "Music loud, then a walk";
        var updated = await fhir.UpdateAsync(read, versionAware: true);
        Assert.Equal("2", updated!.Meta.VersionId);

        // The copy still at version 1 is refused: 412, and version 2 stands.
        created.Activity[0].Detail.Description = "Lost update";
        var stale = await Assert.ThrowsAsync<Hl7.Fhir.Rest.FhirOperationException>(() => fhir.UpdateAsync(created, versionAware: true));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.Equal("Music loud, then a walk", (await fhir.ReadAsync<Hl7.Fhir.Model.CarePlan>($"CarePlan/{created.Id}"))!.Activity[0].Detail.Description);
        Assert.Contains(await app.AuditFor(personId), e => e.Actor == "client:ed-system-client" && e.Action == AuditAction.SafetyPlanSaved);
    }
#nullable restore
}
