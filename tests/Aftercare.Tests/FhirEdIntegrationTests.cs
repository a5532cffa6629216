// Firely's model marks nearly every element nullable; these tests assert the values they read.
#nullable disable

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Users;
using Aftercare.Fhir;
using Aftercare.Presentations;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Tests;

/// <summary>
/// What an emergency department's system does (issue 13, "ED systems pushing presentations"): its
/// identifiers kept and searched, a resend never making a twin, a conditional create and update,
/// withdrawing a presentation sent by mistake, and naming the site by ODS code. All through the
/// real pipeline, as the ED's client sends it.
/// </summary>
public sealed class FhirEdIntegrationTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private const string EdEncounters = "https://ed.example.org/Id/encounter";
    private const string EdConditions = "https://ed.example.org/Id/diagnosis";

    private static string NewValue() => Guid.NewGuid().ToString("N")[..12];

    private static async Task<T> Read<T>(HttpResponseMessage response) where T : Resource =>
        Assert.IsType<T>(FhirJson.Parse(await response.Content.ReadAsStringAsync()).Value);

    private static Bundle Intake(string encounterValue, string conditionValue, DateTimeOffset arrived, string mrn = null)
    {
        var bundle = FhirTests.IntakeBundle(mrn ?? Requests.NewMrn(), Requests.DemoSiteCode, arrived);
        bundle.Entry.Select(e => e.Resource).OfType<Encounter>().Single().Identifier.Add(new Identifier(EdEncounters, encounterValue));
        if (conditionValue is not null)
        {
            bundle.Entry.Select(e => e.Resource).OfType<Condition>().Single().Identifier.Add(new Identifier(EdConditions, conditionValue));
        }

        return bundle;
    }

    /// <summary>An Encounter sent on its own, for someone already known.</summary>
    private static Encounter Alone(string subject, string encounterValue, DateTimeOffset arrived, ResourceReference site = null) => new()
    {
        Status = Encounter.EncounterStatus.Finished,
        Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "EMER"),
        Subject = new ResourceReference(subject),
        Identifier = [new Identifier(EdEncounters, encounterValue)],
        Period = new Period { StartElement = new FhirDateTime(arrived) },
        ServiceProvider = site ?? new ResourceReference { Identifier = new Identifier(FhirSystems.OdsOrganizationSystem, Requests.DemoSiteOds) },
    };

    private static async Task<(Guid PersonId, Guid PresentationId)> Registered(HttpClient client, string encounterValue, string conditionValue = null)
    {
        var response = await client.PostAsync("fhir", FhirTests.Json(Intake(encounterValue, conditionValue, AftercareApplication.Now.AddHours(-5))));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await Read<Bundle>(response);
        return (Guid.Parse(result.Entry[0].Response.Location.Split('/')[1]), Guid.Parse(result.Entry[1].Response.Location.Split('/')[1]));
    }

    private static Encounter Withdrawal(string reason)
    {
        var encounter = new Encounter { Status = Encounter.EncounterStatus.EnteredInError, Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "EMER") };
        if (reason is not null)
        {
            encounter.Extension.Add(new Extension(EncounterFhir.EnteredInErrorReasonUrl, new FhirString(reason)));
        }

        return encounter;
    }

    [Fact]
    public async Task The_EDs_identifiers_come_back_on_read_and_find_the_presentation_without_naming_the_patient()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var (encounterValue, conditionValue) = (NewValue(), NewValue());
        var (personId, presentationId) = await Registered(client, encounterValue, conditionValue);
        var other = await Registered(client, NewValue());

        var encounter = await Read<Encounter>(await client.GetAsync($"fhir/Encounter/{presentationId}"));
        Assert.Equal($"{EdEncounters}|{encounterValue}", $"{encounter.Identifier.Single().System}|{encounter.Identifier.Single().Value}");
        var condition = await Read<Condition>(await client.GetAsync($"fhir/Condition/{presentationId}"));
        Assert.Equal(conditionValue, condition.Identifier.Single(i => i.System == EdConditions).Value);

        var found = await Read<Bundle>(await client.GetAsync($"fhir/Encounter?identifier={Uri.EscapeDataString($"{EdEncounters}|{encounterValue}")}"));
        Assert.Equal(presentationId.ToString(), ((Encounter)Assert.Single(found.Entry).Resource).Id);
        Assert.Equal(1, (await Read<Bundle>(await client.GetAsync($"fhir/Condition?identifier={Uri.EscapeDataString($"{EdConditions}|{conditionValue}")}"))).Total);

        // A comma is any of; another system's value, or the Condition's identifier asked of Encounters, is nothing.
        var otherEncounter = await app.Read(db => db.Presentations.Where(p => p.Id == other.PresentationId).Select(p => p.EncounterIdentifierValue).SingleAsync());
        var both = await Read<Bundle>(await client.GetAsync($"fhir/Encounter?identifier={Uri.EscapeDataString($"{EdEncounters}|{encounterValue},{EdEncounters}|{otherEncounter}")}"));
        Assert.Equal(2, both.Total);
        Assert.Equal(0, (await Read<Bundle>(await client.GetAsync($"fhir/Encounter?identifier={Uri.EscapeDataString($"https://elsewhere.example/id|{encounterValue}")}"))).Total);
        Assert.Equal(0, (await Read<Bundle>(await client.GetAsync($"fhir/Encounter?identifier={Uri.EscapeDataString($"{EdConditions}|{conditionValue}")}"))).Total);

        // With the patient too, it narrows the person's presentations.
        Assert.Equal(1, (await Read<Bundle>(await client.GetAsync($"fhir/Encounter?patient={personId}&identifier={Uri.EscapeDataString($"{EdEncounters}|{encounterValue}")}"))).Total);

        // Outside the care team the same search finds nothing at all.
        var outside = await app.ClientFor(app.OtherTeamClinician);
        Assert.Equal(0, (await Read<Bundle>(await outside.GetAsync($"fhir/Encounter?identifier={Uri.EscapeDataString($"{EdEncounters}|{encounterValue}")}"))).Total);
    }

    [Fact]
    public async Task A_second_presentation_with_an_identifier_already_held_is_refused_and_with_ifNoneExist_is_given_the_first()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var value = NewValue();
        var (personId, presentationId) = await Registered(client, value);

        var again = await client.PostAsync("fhir", FhirTests.Json(Intake(value, null, AftercareApplication.Now.AddHours(-3))));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains($"{EdEncounters}|{value} was received already", (await Read<OperationOutcome>(again)).Issue[0].Diagnostics, StringComparison.Ordinal);

        var resend = Intake(value, null, AftercareApplication.Now.AddHours(-3));
        resend.Entry.Single(e => e.Resource is Encounter).Request.IfNoneExist = $"identifier={EdEncounters}|{value}";
        var matched = await client.PostAsync("fhir", FhirTests.Json(resend));
        Assert.Equal(HttpStatusCode.OK, matched.StatusCode);
        var entries = (await Read<Bundle>(matched)).Entry;
        Assert.Equal(["200 OK", "200 OK", "200 OK"], entries.Select(e => e.Response.Status).ToArray());
        Assert.Equal($"Encounter/{presentationId}/_history/1", entries[1].Response.Location);
        Assert.Equal(1, await app.Read(db => db.Presentations.CountAsync(p => p.EncounterIdentifierValue == value)));
        Assert.Equal(1, await app.Read(db => db.Presentations.CountAsync(p => p.PersonId == personId)));
    }

    [Fact]
    public async Task A_conditional_create_creates_once_then_answers_the_first_and_several_matches_are_412()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var (personId, first) = await Registered(client, NewValue());
        var value = NewValue();
        HttpRequestMessage Post(string criteria) => new(HttpMethod.Post, "fhir/Encounter")
        {
            Content = FhirTests.Json(Alone($"Patient/{personId}", value, AftercareApplication.Now.AddHours(-1))),
            Headers = { { "If-None-Exist", criteria } },
        };

        var created = await client.SendAsync(Post($"identifier={EdEncounters}|{value}"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var encounter = await Read<Encounter>(created);
        Assert.EndsWith($"/fhir/Encounter/{encounter.Id}/_history/1", created.Headers.Location.ToString(), StringComparison.Ordinal);
        Assert.Equal(value, encounter.Identifier.Single().Value);

        var second = await client.SendAsync(Post($"identifier={EdEncounters}|{value}"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(encounter.Id, (await Read<Encounter>(second)).Id);
        Assert.Equal(2, await app.Read(db => db.Presentations.CountAsync(p => p.PersonId == personId)));

        var firstValue = await app.Read(db => db.Presentations.Where(p => p.Id == first).Select(p => p.EncounterIdentifierValue).SingleAsync());
        var several = await client.SendAsync(Post($"identifier={EdEncounters}|{value},{EdEncounters}|{firstValue}"));
        Assert.Equal(HttpStatusCode.PreconditionFailed, several.StatusCode);
        Assert.Equal(OperationOutcome.IssueSeverity.Error, (await Read<OperationOutcome>(several)).Issue[0].Severity);

        // Matching by anything but identifier is refused; so is a subject nobody holds.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.SendAsync(Post("date=2026"))).StatusCode);
        var unknown = await client.PostAsync("fhir/Encounter", FhirTests.Json(Alone($"Patient?identifier={FhirSystems.MrnSystem}|{Requests.NewMrn()}", NewValue(), AftercareApplication.Now.AddHours(-1))));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
    }

    [Fact]
    public async Task An_Encounter_for_someone_known_by_NHS_or_MRN_identifier_is_registered_from_a_conditional_subject_reference()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var mrn = Requests.NewMrn();
        var bundle = Intake(NewValue(), null, AftercareApplication.Now.AddHours(-6), mrn);
        var first = await client.PostAsync("fhir", FhirTests.Json(bundle));
        var personId = Guid.Parse((await Read<Bundle>(first)).Entry[0].Response.Location.Split('/')[1]);

        var created = await client.PostAsync("fhir/Encounter", FhirTests.Json(Alone($"Patient?identifier={FhirSystems.MrnSystem}|{mrn}", NewValue(), AftercareApplication.Now.AddHours(-1))));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"Patient/{personId}", (await Read<Encounter>(created)).Subject.Reference);
    }

    [Fact]
    public async Task An_ED_withdraws_a_presentation_sent_by_mistake_by_its_identifier_and_it_reads_as_entered_in_error_with_the_reason()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var (encounterValue, conditionValue) = (NewValue(), NewValue());
        var (personId, presentationId) = await Registered(client, encounterValue, conditionValue);
        var byIdentifier = $"fhir/Encounter?identifier={Uri.EscapeDataString($"{EdEncounters}|{encounterValue}")}";
        HttpRequestMessage Put(string url, Resource body, string ifMatch = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = FhirTests.Json(body) };
            if (ifMatch is not null)
            {
                request.Headers.IfMatch.ParseAdd(ifMatch);
            }

            return request;
        }

        // No reason, or any other change: refused, nothing changed.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.SendAsync(Put(byIdentifier, Withdrawal(null)))).StatusCode);
        var finished = Withdrawal("x");
        finished.Status = Encounter.EncounterStatus.Finished;
        var change = await client.SendAsync(Put(byIdentifier, finished));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, change.StatusCode);
        Assert.Contains("Only a withdrawal", (await Read<OperationOutcome>(change)).Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await client.SendAsync(Put(byIdentifier, Withdrawal("Sent for the wrong person."), "W/\"7\""))).StatusCode);
        Assert.Null(await app.Read(db => db.Presentations.Where(p => p.Id == presentationId).Select(p => p.EnteredInErrorAt).SingleAsync()));

        var withdrawn = await client.SendAsync(Put(byIdentifier, Withdrawal("Sent for the wrong person."), "W/\"1\""));
        Assert.True(withdrawn.StatusCode == HttpStatusCode.OK, await withdrawn.Content.ReadAsStringAsync());
        Assert.Equal("W/\"2\"", withdrawn.Headers.ETag.ToString());

        var encounter = await Read<Encounter>(await client.GetAsync($"fhir/Encounter/{presentationId}"));
        Assert.Equal(Encounter.EncounterStatus.EnteredInError, encounter.Status);
        Assert.Equal("2", encounter.Meta.VersionId);
        Assert.Equal("Sent for the wrong person.", ((FhirString)encounter.Extension.Single(e => e.Url.EndsWith("/fhir/StructureDefinition/entered-in-error-reason", StringComparison.Ordinal)).Value).Value);
        var condition = await Read<Condition>(await client.GetAsync($"fhir/Condition/{presentationId}"));
        Assert.Equal("entered-in-error", condition.VerificationStatus.Coding[0].Code);
        Assert.Null(condition.ClinicalStatus);

        // Not twice, by either resource; never deleted.
        var twice = await client.SendAsync(Put($"fhir/Condition/{presentationId}", new Condition
        {
            Subject = new ResourceReference($"Patient/{personId}"),
            VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error"),
            Extension = [new Extension(EncounterFhir.EnteredInErrorReasonUrl, new FhirString("Again."))],
        }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, twice.StatusCode);
        Assert.Contains("cannot be withdrawn again", (await Read<OperationOutcome>(twice)).Issue[0].Diagnostics, StringComparison.Ordinal);
        var delete = await client.DeleteAsync($"fhir/Encounter/{presentationId}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        await Read<OperationOutcome>(delete);
        Assert.True(await app.Read(db => db.Presentations.AnyAsync(p => p.Id == presentationId)));

        // Audited with who and when; the reason is in no audit event.
        var audit = await app.AuditFor(personId);
        var withdrawal = Assert.Single(audit, a => a.Action == AuditAction.PresentationEnteredInError);
        Assert.Equal(app.User(Roles.Clinician).Email, withdrawal.Actor);
        Assert.DoesNotContain(audit, a => a.EntityId != null && a.EntityId.Contains("wrong person", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_conditional_update_that_matches_nothing_creates_nothing_and_outside_the_care_team_reads_as_not_found()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var none = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"fhir/Encounter?identifier={Uri.EscapeDataString($"{EdEncounters}|{NewValue()}")}")
        {
            Content = FhirTests.Json(Withdrawal("Never sent.")),
        });
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Contains("updateCreate is false", (await Read<OperationOutcome>(none)).Issue[0].Diagnostics, StringComparison.Ordinal);

        var (_, presentationId) = await Registered(client, NewValue());
        var outside = await app.ClientFor(app.OtherTeamClinician);
        var refused = await outside.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"fhir/Encounter/{presentationId}") { Content = FhirTests.Json(Withdrawal("Not mine.")) });
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Null(await app.Read(db => db.Presentations.Where(p => p.Id == presentationId).Select(p => p.EnteredInErrorAt).SingleAsync()));
    }

    [Fact]
    public async Task A_withdrawn_presentation_stays_on_the_record_but_leaves_the_counts()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var mrn = Requests.NewMrn();
        var first = await client.PostAsync("fhir", FhirTests.Json(Intake(NewValue(), null, AftercareApplication.Now.AddDays(-20), mrn)));
        var personId = Guid.Parse((await Read<Bundle>(first)).Entry[0].Response.Location.Split('/')[1]);
        var value = NewValue();
        var second = await client.PostAsync("fhir", FhirTests.Json(Intake(value, null, AftercareApplication.Now.AddHours(-2), mrn)));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("2 presentations", (await client.GetFromJsonAsync<JsonElement>($"api/people/{personId}")).GetProperty("summary").GetString(), StringComparison.Ordinal);

        var put = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"fhir/Encounter?identifier={Uri.EscapeDataString($"{EdEncounters}|{value}")}")
        {
            Content = FhirTests.Json(Withdrawal("Duplicate of the first.")),
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var record = await client.GetFromJsonAsync<JsonElement>($"api/people/{personId}");
        Assert.Equal("1 presentation in the last 12 months", record.GetProperty("summary").GetString());
        Assert.Equal(2, record.GetProperty("timeline").GetArrayLength());
        var page = await client.GetStringAsync($"people/{personId}");
        Assert.Contains("Entered in error", page, StringComparison.Ordinal);
        Assert.Contains("Duplicate of the first.", page, StringComparison.Ordinal);
        Assert.Equal(2, (await Read<Bundle>(await client.GetAsync($"fhir/Encounter?patient={personId}"))).Total);
        Assert.Equal(1, (await Read<Bundle>(await client.GetAsync($"fhir/Encounter?patient={personId}&status=finished"))).Total);
    }

    [Fact]
    public async Task An_ED_names_the_site_by_ODS_code_and_an_unknown_code_is_a_422_naming_it()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var (personId, _) = await Registered(client, NewValue());
        var siteId = await app.SiteId();

        var byConditional = await client.PostAsync("fhir/Encounter", FhirTests.Json(Alone($"Patient/{personId}", NewValue(), AftercareApplication.Now.AddHours(-1),
            new ResourceReference($"Organization?identifier={FhirSystems.OdsOrganizationSystem}|{Requests.DemoSiteOds}"))));
        Assert.True(byConditional.StatusCode == HttpStatusCode.Created, await byConditional.Content.ReadAsStringAsync());
        var created = await Read<Encounter>(byConditional);
        Assert.Equal(siteId, await app.Read(db => db.Presentations.Where(p => p.Id == Guid.Parse(created.Id)).Select(p => p.SiteId).SingleAsync()));

        var unknown = await client.PostAsync("fhir/Encounter", FhirTests.Json(Alone($"Patient/{personId}", NewValue(), AftercareApplication.Now.AddHours(-1),
            new ResourceReference { Identifier = new Identifier(FhirSystems.OdsOrganizationSystem, "RXX99") })));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Contains("\"RXX99\"", (await Read<OperationOutcome>(unknown)).Issue[0].Diagnostics, StringComparison.Ordinal);

        var sites = await Read<Bundle>(await client.GetAsync($"fhir/Organization?identifier={Uri.EscapeDataString($"{FhirSystems.OdsOrganizationSystem}|{Requests.DemoSiteOds}")}"));
        var organization = (Organization)Assert.Single(sites.Entry).Resource;
        Assert.Equal(siteId.ToString(), organization.Id);
        Assert.Contains(organization.Identifier, i => i.System == FhirSystems.OdsOrganizationSystem && i.Value == Requests.DemoSiteOds);
    }

    [Fact]
    public async Task The_capability_statement_declares_the_conditional_writes_exactly_as_built()
    {
        var statement = await Read<CapabilityStatement>(await app.AnonymousClient().GetAsync("fhir/metadata"));
        var encounter = statement.Rest[0].Resource.Single(r => r.Type == "Encounter");
        Assert.True(encounter.ConditionalCreate);
        Assert.True(encounter.ConditionalUpdate);
        Assert.False(encounter.UpdateCreate);
        Assert.Contains(encounter.SearchParam, p => p.Name == "identifier");
        var condition = statement.Rest[0].Resource.Single(r => r.Type == "Condition");
        Assert.True(condition.ConditionalUpdate);
        Assert.NotEqual(true, condition.ConditionalCreate);
        Assert.DoesNotContain(condition.Interaction, i => i.Code == CapabilityStatement.TypeRestfulInteraction.Create);
        Assert.Contains(condition.SearchParam, p => p.Name == "identifier");
    }
}
