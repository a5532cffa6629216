using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Aftercare.Smart;
using Microsoft.AspNetCore.WebUtilities;
using OpenIddict.Abstractions;

namespace Aftercare.Tests;

/// <summary>
/// Issue 17 point 5: no patient data in logs. The app runs with every category at Information
/// (as verbose as production allows, and more), while the flows that carry a person's name,
/// identifiers and clinical text are driven; none of what was typed may reach the log.
/// </summary>
public sealed partial class LogTests
{
    private const string Callback = "http://127.0.0.1:9/callback";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [Fact]
    public async Task Names_identifiers_and_clinical_text_typed_into_the_app_never_reach_its_log()
    {
        var logs = new CapturedLogs();
        await using var app = new AftercareApplication(new()
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information",
        }, logs: logs);
        await app.InitializeAsync();

        var unique = Guid.NewGuid().ToString("N")[..8];
        var given = $"Zephyrine{unique}";
        var family = $"Quillfeather{unique}";
        var mrn = Requests.NewMrn();
        var nhs = NhsNumber();
        var notes = $"Treated on the ward after {unique} tablets of a fictional medicine";
        var account = $"Said the argument with {unique} at home was the last straw";
        var warningSigns = $"Stops answering {unique} messages";

        // Sign-in (password and code), registration, the record, an assessment and a safety plan.
        var clinician = await app.ClientFor(Roles.Clinician);
        var body = JsonSerializer.SerializeToNode(Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-3),
            newPerson: Requests.NewPerson(mrn, given, family, "1993-08-14", nhs)))!;
        body["medicalTreatmentNotes"] = notes;
        var registered = await clinician.PostAsJsonAsync("api/presentations", body, Ct);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var created = await registered.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var personId = created.GetProperty("personId").GetGuid();
        var presentationId = created.GetProperty("presentationId").GetGuid();
        Assert.Contains(family, await clinician.GetStringAsync($"people/{personId}", Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"presentations/{presentationId}/assessment", "assessment", PlansTests.Assessment(0, "complete", account: account))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, warningSigns))).StatusCode);

        // The rest of the record through its own forms, each carrying the unique marker: aftercare
        // and a contact's check-in, a therapy course and a medication, a referral, a care plan,
        // consent and safeguarding, a GP letter, emergency access by another team, and FHIR reads.
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = London.Local(AftercareApplication.Now.AddHours(-1)), ["pathwayId"] = "adults", ["reason"] = $"Prefers the adults' pathway ({unique})",
        })).StatusCode);
        var contact = await app.Read(db => db.Contacts.Where(c => c.PersonId == personId).OrderBy(c => c.DueAt).Select(c => new { c.Id, c.Version }).FirstAsync(Ct));
        Assert.Equal(HttpStatusCode.Redirect, (await (await app.ClientFor(Roles.AftercareWorker)).Post($"contacts/{contact.Id}", "contact", new Dictionary<string, string>
        {
            ["version"] = contact.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), ["at"] = London.Local(AftercareApplication.Now.AddMinutes(-10)),
            ["channel"] = "Phone", ["outcome"] = "Reached", ["howTheyAreFeeling"] = $"A bit lighter {unique}", ["whatIsGoingOn"] = $"Back at work {unique}", ["notes"] = $"Call again {unique}",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}", "therapy", new Dictionary<string, string>
        {
            ["type"] = "ProblemSolving", ["plannedSessions"] = "6", ["startsOn"] = "2026-11-20", ["therapist"] = $"Therapist {unique}",
            ["therapistTraining"] = $"Course {unique}", ["supervision"] = $"Fortnightly {unique}",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}", "medication", new Dictionary<string, string>
        {
            ["class"] = "Ssri", ["name"] = $"Sertraline {unique}", ["indication"] = "Depression", ["condition"] = $"Low mood {unique}",
            ["quantitySupplied"] = "14 tablets", ["toxicityConsidered"] = "true",
        })).StatusCode);
        var service = await app.Read(db => db.Services.Select(x => x.Id).FirstAsync(Ct));
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}", "refer", new Dictionary<string, string>
        {
            ["serviceId"] = service.ToString(), ["preference"] = "NonClinical", ["reason"] = $"Would like peer support {unique}",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}/care-plan", "care-plan", new Dictionary<string, string>
        {
            ["version"] = "0", ["action"] = "draft", ["longTermGoals"] = $"Back to college {unique}", ["goal-0-goal"] = $"Sleep {unique}", ["goal-0-steps"] = $"Steps {unique}",
        }.Append(new("aims", "PreventEscalation")))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}/consent", "consent", new Dictionary<string, string>
        {
            ["Decision.Topic"] = "InvolveFamilyOrCarers", ["Decision.Agreed"] = "yes", ["Decision.Whom"] = $"Sister {unique}", ["Decision.WhatTheyMayKnow"] = $"The plan {unique}",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}/consent", "safeguarding", new Dictionary<string, string>
        {
            ["Concern.Kind"] = "AdultSupportAndProtection", ["Concern.Text"] = $"A worry {unique}", ["Concern.NoReportReason"] = $"Agreed with them {unique}",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}", "share-gp", [])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await (await app.ClientFor(app.OtherTeamClinician)).Post($"people/{personId}/restricted", "break-glass", new Dictionary<string, string>
        {
            ["Form.Reason"] = "EmergencyCare", ["Form.Justification"] = $"They are here now {unique}", ["Form.Password"] = app.OtherTeamClinician.Password,
        })).StatusCode);
        foreach (var read in new[] { $"fhir/Patient/{personId}", $"fhir/Encounter?patient=Patient/{personId}", $"fhir/CarePlan?patient=Patient/{personId}", $"fhir/Patient?identifier={mrn}" })
        {
            Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync(read, Ct)).StatusCode);
        }

        // Search by identifier, and by name and date of birth.
        Assert.True((await clinician.PostAsJsonAsync("api/people/search", new { identifierKind = "Mrn", identifier = mrn }, Ct)).IsSuccessStatusCode);
        Assert.True((await clinician.PostAsJsonAsync("api/people/search", new { identifierKind = "NhsNumber", identifier = nhs }, Ct)).IsSuccessStatusCode);
        Assert.True((await clinician.PostAsJsonAsync("api/people/search", new { identifierKind = "Mrn", name = family, dateOfBirth = "1993-08-14" }, Ct)).IsSuccessStatusCode);

        // The SMART app launch: the person's name and date of birth typed into the consent page's picker, then chosen.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var registeredApp = await RegisterClient.HandleApp(scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(), "log-test-app", "Log test app (demo)", [Callback], ["launch/patient", "patient/*.read"]);
            Assert.True(registeredApp.IsSuccess);
        }

        var request = new Dictionary<string, string>
        {
            ["response_type"] = "code", ["client_id"] = "log-test-app", ["redirect_uri"] = Callback, ["scope"] = "launch/patient patient/*.read", ["state"] = "state-log",
            ["aud"] = new Uri(app.BaseAddress, "fhir").ToString(),
            ["code_challenge"] = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes("verifier-" + unique + "-0123456789012345678901234567890"))), ["code_challenge_method"] = "S256",
        };
        var consent = await clinician.GetAsync(QueryHelpers.AddQueryString("connect/authorize", request!), Ct);
        Assert.StartsWith(AppLaunch.ConsentPage, consent.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var found = await clinician.Post(consent.Headers.Location.OriginalString, "find-patient", [new("Find.Name", $"{given} {family}"), new("Find.DateOfBirth", "1993-08-14")]);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var page = await found.Content.ReadAsStringAsync(Ct);
        Assert.Contains(personId.ToString(), page, StringComparison.Ordinal);
        var formToken = FormToken().Match(page).Groups[1].Value;
        var allowed = await clinician.PostAsync("connect/authorize", new FormUrlEncodedContent(new Dictionary<string, string>(request)
        {
            ["decision"] = "allow", [AppLaunch.PatientField] = personId.ToString(), ["__RequestVerificationToken"] = formToken,
        }), Ct);
        Assert.StartsWith(Callback, allowed.Headers.Location!.ToString(), StringComparison.Ordinal);

        var log = logs.All;
        Assert.True(logs.Lines.Count > 20, "the capture sees the app's log");
        var user = app.User(Roles.Clinician);
        foreach (var (what, text) in new[]
        {
            ("given name", given), ("family name", family), ("MRN", mrn), ("NHS number", nhs), ("treatment notes", notes), ("assessment", account),
            ("safety plan", warningSigns), ("form token", formToken), ("password", user.Password), ("authenticator key", user.AuthenticatorKey),
        })
        {
            Assert.False(log.Contains(text, StringComparison.OrdinalIgnoreCase), $"The {what} is in the log: {logs.Lines.FirstOrDefault(l => l.Contains(text, StringComparison.OrdinalIgnoreCase))?[..Math.Min(300, logs.Lines.First(l => l.Contains(text, StringComparison.OrdinalIgnoreCase)).Length)]}");
        }

        // The unique part alone, wherever free text was cut or re-encoded.
        Assert.DoesNotContain(unique, log, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A valid NHS number in the 999 range used for test data.</summary>
    private static string NhsNumber() => Requests.NewNhsNumber("999");
}
