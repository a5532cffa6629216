using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Access;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Consent;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue #6, audit completeness: a sample of everything a person's record goes through (reads,
/// searches, writes, exports, shares, consent changes, emergency access, refusals) each leaves the
/// audit events it should, naming the person, who and why.
/// </summary>
public sealed class AuditCompletenessTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [Fact]
    public async Task Every_kind_of_interaction_with_a_record_is_audited_naming_the_person()
    {
        var clinician = await app.ClientFor(Roles.Clinician);
        var mrn = Requests.NewMrn();
        var registered = await clinician.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-8), newPerson: Requests.NewPerson(mrn)));
        var person = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentation = await app.Read(db => db.Presentations.Where(p => p.PersonId == person).Select(p => p.Id).SingleAsync());
        var clinicianEmail = app.User(Roles.Clinician).Email;

        // A sample of everything, as people do it.
        await clinician.GetStringAsync($"people/{person}");                                                              // read
        await clinician.PostAsJsonAsync("api/people/search", new { IdentifierKind = "Mrn", Identifier = mrn });             // search
        await clinician.Post($"presentations/{presentation}/assessment", "assessment", PlansTests.Assessment(0, "complete")); // write
        await clinician.Post($"people/{person}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, "Not sleeping"));       // write
        Assert.Equal(HttpStatusCode.OK, (await clinician.GetAsync($"people/{person}/safety-plan/pdf")).StatusCode);         // export
        await clinician.Post($"people/{person}", "share-gp", []);                                                          // share
        await clinician.Post($"people/{person}/consent", "consent", new Dictionary<string, string>
        {
            ["Decision.Topic"] = nameof(ConsentTopic.ReceiveMessages),
            ["Decision.Agreed"] = "no",
        });                                                                                                                  // consent change
        await clinician.GetAsync($"fhir/Patient/{person}");                                                               // FHIR read
        var other = await app.ClientFor(app.OtherTeamClinician);
        await other.GetAsync($"people/{person}");                                                                         // refused page
        await other.GetAsync($"fhir/Patient/{person}");                                                                   // refused FHIR
        await other.Post(NeedToKnow.RestrictedPage(person), "break-glass", new Dictionary<string, string>
        {
            ["Form.Reason"] = "EmergencyCare",
            ["Form.Justification"] = "Called by the emergency department about this person tonight.",
            ["Form.Password"] = app.OtherTeamClinician.Password,
        });                                                                                                                  // break glass
        await other.GetStringAsync($"people/{person}");                                                                   // read under break glass

        var audit = await app.AuditFor(person);
        void Expect(AuditAction action, string actor, string purpose)
        {
            Assert.True(audit.Any(a => a.Action == action && a.Actor == actor && a.Purpose == purpose && a.PersonId == person),
                $"missing {action} by {actor} for {purpose}; have: {string.Join(", ", audit.Select(a => $"{a.Action}/{a.Actor}/{a.Purpose}"))}");
        }

        var otherEmail = app.OtherTeamClinician.Email;
        Expect(AuditAction.PresentationRegistered, clinicianEmail, AuditPurpose.DirectCare);
        Expect(AuditAction.PersonViewed, clinicianEmail, AuditPurpose.DirectCare);
        Expect(AuditAction.AssessmentSaved, clinicianEmail, AuditPurpose.DirectCare);
        Expect(AuditAction.SafetyPlanSaved, clinicianEmail, AuditPurpose.DirectCare);
        Expect(AuditAction.SafetyPlanPrinted, clinicianEmail, AuditPurpose.DirectCare);
        Expect(AuditAction.SharedWithGp, clinicianEmail, AuditPurpose.DirectCare);
        Expect(AuditAction.ConsentRecorded, clinicianEmail, AuditPurpose.DirectCare);
        Expect(AuditAction.RecordRefused, otherEmail, AuditPurpose.Security);
        Expect(AuditAction.FhirRefused, otherEmail, AuditPurpose.Security);
        Expect(AuditAction.BreakGlassOpened, otherEmail, AuditPurpose.EmergencyAccess);
        Expect(AuditAction.BreakGlassAccess, otherEmail, AuditPurpose.EmergencyAccess);
        Assert.Contains(audit, a => a.Action == AuditAction.PersonViewed && a.EntityId == "fhir read Patient" && a.Actor == clinicianEmail);

        // A search is recorded without what was typed.
        Assert.Contains(await app.Read(db => db.AuditEvents.Where(a => a.Action == AuditAction.PeopleSearched && a.Actor == clinicianEmail).ToListAsync()),
            a => a.EntityId is null || !a.EntityId.Contains(mrn, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(await app.Read(db => db.AuditEvents.Select(a => a.EntityId).ToListAsync()), e => e != null && e.Contains(mrn, StringComparison.OrdinalIgnoreCase));
    }
}
