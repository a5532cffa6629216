// Firely's model marks nearly every element nullable; these tests assert the values they read.
#nullable disable

using System.Net;
using System.Text;
using Aftercare.Domain.Users;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Tests;

/// <summary>FHIR R4 through the real pipeline, read by Firely's own client and its strict parser.</summary>
public sealed class FhirTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    internal static StringContent Json(Resource resource) => new(FhirJson.Serialize(resource), Encoding.UTF8, "application/fhir+json");

    /// <summary>A safety plan as an outside app would write it: one activity per section.</summary>
    internal static CarePlan SafetyPlanResource(Guid personId, string words, RequestStatus status = RequestStatus.Draft)
    {
        var plan = new CarePlan { Status = status, Intent = CarePlan.CarePlanIntent.Plan, Subject = new ResourceReference($"Patient/{personId}") };
        plan.Category.Add(new CodeableConcept(Aftercare.Fhir.FhirSystems.LoincSystem, Aftercare.Plans.CarePlanFhir.SafetyPlanLoinc));
        foreach (var section in Domain.Plans.SafetyPlanSections.All)
        {
            plan.Activity.Add(new CarePlan.ActivityComponent { Detail = new CarePlan.DetailComponent { Status = CarePlan.CarePlanActivityStatus.NotStarted, Code = new CodeableConcept { Text = Domain.Plans.SafetyPlanSections.Title(section) }, Description = $"{words} ({section})" } });
        }

        return plan;
    }

    internal static Bundle IntakeBundle(string mrn, string siteCode, DateTimeOffset arrived, string icd10 = "X61", bool linkByIdentifier = true)
    {
        var patientUrl = $"urn:uuid:{Guid.NewGuid()}";
        var patient = new Patient { BirthDate = "1993-04-05", Gender = AdministrativeGender.Female };
        patient.Name.Add(new HumanName { Family = "Fhirtest", Given = ["Jamie"] });
        patient.Identifier.Add(new Identifier(FhirSystems.MrnSystem, mrn));
        patient.Extension.Add(new Extension(Aftercare.People.PatientFhir.PreferredChannelUrl, new Code("Letter")));
        var encounter = new Encounter
        {
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "EMER"),
            Subject = new ResourceReference(patientUrl),
            Period = new Period { StartElement = new FhirDateTime(arrived) },
            ServiceProvider = new ResourceReference { Identifier = new Identifier(Aftercare.Fhir.FhirSystems.SiteSystem, siteCode) },
        };
        var condition = new Condition { Subject = new ResourceReference(patientUrl), Code = new CodeableConcept(FhirSystems.Icd10System, icd10) };
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = patientUrl, Resource = patient,
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient", IfNoneExist = linkByIdentifier ? $"identifier={FhirSystems.MrnSystem}|{mrn}" : null },
        });
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = $"urn:uuid:{Guid.NewGuid()}", Resource = encounter, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Encounter" } });
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = $"urn:uuid:{Guid.NewGuid()}", Resource = condition, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Condition" } });
        return bundle;
    }

    [Fact]
    public async Task The_capability_statement_lists_exactly_what_works()
    {
        var response = await app.AnonymousClient().GetAsync("fhir/metadata");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var statement = Assert.IsType<CapabilityStatement>(FhirJson.Parse(await response.Content.ReadAsStringAsync()).Value);
        Assert.Equal(
            ["Appointment", "AuditEvent", "CarePlan", "CodeSystem", "Communication", "CommunicationRequest", "Condition", "Consent", "DocumentReference", "Encounter", "EpisodeOfCare", "Goal",
             "Group", "HealthcareService", "Organization", "Patient", "Practitioner", "Questionnaire", "QuestionnaireResponse", "ServiceRequest", "StructureDefinition", "Task"],
            statement.Rest[0].Resource.Select(r => r.Type).Order(StringComparer.Ordinal).ToArray());
        var audit = statement.Rest[0].Resource.Single(r => r.Type == "AuditEvent");
        Assert.Equal(["patient", "date", "_lastUpdated", "_count", "_summary"], audit.SearchParam.Select(p => p.Name).ToArray());

        // Safety plans, and an ED's presentations (create, and withdrawal as entered in error), are written; all version-aware.
        var writable = statement.Rest[0].Resource.Where(r => r.Interaction.Any(i => i.Code is CapabilityStatement.TypeRestfulInteraction.Create or CapabilityStatement.TypeRestfulInteraction.Update)).ToList();
        Assert.Equal(["CarePlan", "Condition", "Encounter"], writable.Select(r => r.Type).Order(StringComparer.Ordinal).ToArray());
        Assert.All(writable, r => Assert.Equal(CapabilityStatement.ResourceVersionPolicy.VersionedUpdate, r.Versioning));
        Assert.Equal("SMART-on-FHIR", statement.Rest[0].Security.Service[0].Coding[0].Code);
        Assert.Equal(CapabilityStatement.SystemRestfulInteraction.Transaction, Assert.Single(statement.Rest[0].Interaction).Code);
    }

    [Fact]
    public async Task A_presentation_comes_in_as_a_transaction_and_Firelys_client_reads_it_back()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var mrn = Requests.NewMrn();
        var arrived = AftercareApplication.Now.AddHours(-4);
        var response = await client.PostAsync("fhir", Json(IntakeBundle(mrn, Requests.DemoSiteCode, arrived)));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = Assert.IsType<Bundle>(FhirJson.Parse(await response.Content.ReadAsStringAsync()).Value);
        Assert.Equal(["201 Created", "201 Created", "201 Created"], result.Entry.Select(e => e.Response.Status).ToArray());
        var patientId = result.Entry[0].Response.Location.Split('/')[1];

        // Firely's FhirClient, with the signed-in session, parses every answer strictly.
        using var fhir = new FhirClient(new Uri(app.BaseAddress, "fhir/"), client, new FhirClientSettings { PreferredFormat = ResourceFormat.Json });
        var patient = await fhir.ReadAsync<Patient>($"Patient/{patientId}");
        Assert.Equal(mrn, patient!.Identifier.Single(i => i.System == FhirSystems.MrnSystem).Value);
        Assert.Equal("Fhirtest", patient.Name[0].Family);
        var encounters = await fhir.SearchAsync<Encounter>(["patient=Patient/" + patientId, "date=ge2026-11-01"]);
        var encounter = (Encounter)Assert.Single(encounters!.Entry).Resource;
        Assert.Equal(arrived, encounter.Period.StartElement.ToDateTimeOffset(TimeSpan.Zero));
        var condition = await fhir.ReadAsync<Condition>($"Condition/{encounter.Id}");
        // The code as sent (X61), in the ICD-10 UK edition (issue 13; it used to come back as its group's X60).
        Assert.Contains(condition!.Code.Coding, c => c.System == FhirSystems.Icd10UkSystem && c.Code == "X61");
        var found = await fhir.SearchAsync<Patient>([$"identifier={FhirSystems.MrnSystem}|{mrn.ToLowerInvariant()}"]);
        Assert.Equal(1, found!.Total);

        // The same person again, by identifier: linked, not twinned.
        var again = await client.PostAsync("fhir", Json(IntakeBundle(mrn, Requests.DemoSiteCode, arrived.AddHours(2))));
        var secondResult = Assert.IsType<Bundle>(FhirJson.Parse(await again.Content.ReadAsStringAsync()).Value);
        Assert.Equal("200 OK", secondResult.Entry[0].Response.Status);
        Assert.Equal(2, await app.Read(db => db.Presentations.CountAsync(p => p.PersonId == Guid.Parse(patientId))));
        Assert.Contains(await app.AuditFor(Guid.Parse(patientId)), e => e.EntityId == "fhir read Patient");
    }

    [Fact]
    public async Task A_safety_plan_is_read_out_as_a_CarePlan_with_every_version_kept()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var personId = await app.Read(db => db.People.Where(p => !db.SafetyPlans.Any(s => s.PersonId == p.Id) && p.Identifiers.Any(i => i.Value.StartsWith("DEMO"))).OrderByDescending(p => p.Id).Select(p => p.Id).FirstAsync());
        Dictionary<string, string> Plan(int version, string words) =>
            new(Domain.Plans.SafetyPlanSections.All.ToDictionary(s => s.ToString(), s => words)) { ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture), ["action"] = "draft" };
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", Plan(0, "First words"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", Plan(1, "Second words"))).StatusCode);

        using var fhir = new FhirClient(new Uri(app.BaseAddress, "fhir/"), client, new FhirClientSettings { PreferredFormat = ResourceFormat.Json });
        var found = await fhir.SearchAsync<CarePlan>([$"patient=Patient/{personId}", $"category={Aftercare.Fhir.FhirSystems.LoincSystem}|{Aftercare.Plans.CarePlanFhir.SafetyPlanLoinc}"]);
        var plan = (CarePlan)Assert.Single(found.Entry).Resource;
        Assert.Equal("2", plan.Meta.VersionId);
        Assert.Equal(7, plan.Activity.Count);
        Assert.All(plan.Activity, a => Assert.Equal("Second words", a.Detail.Description));

        var first = await fhir.ReadAsync<CarePlan>($"CarePlan/{plan.Id}/_history/1");
        Assert.Equal("First words", first.Activity[0].Detail.Description);
        var history = await fhir.HistoryAsync($"CarePlan/{plan.Id}");
        Assert.Equal(["2", "1"], history.Entry.Select(e => e.Resource.Meta.VersionId).ToArray());
        var read = await client.GetAsync($"fhir/CarePlan/{plan.Id}");
        Assert.Equal("W/\"2\"", read.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Aftercare_episodes_referrals_and_the_directory_are_read_out()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var personId = await app.Read(db => db.Referrals.Join(db.Episodes, r => r.PersonId, e => e.PersonId, (r, e) => r.PersonId).OrderBy(id => id).FirstAsync());
        using var fhir = new FhirClient(new Uri(app.BaseAddress, "fhir/"), client, new FhirClientSettings { PreferredFormat = ResourceFormat.Json });

        var episodes = await fhir.SearchAsync<EpisodeOfCare>([$"patient=Patient/{personId}"]);
        var episode = (EpisodeOfCare)episodes.Entry[0].Resource;
        Assert.Equal($"Patient/{personId}", episode.Patient.Reference);
        Assert.Equal(Aftercare.Programme.EpisodeOfCareFhir.PathwaySystem, episode.Type[0].Coding[0].System);

        var referrals = await fhir.SearchAsync<ServiceRequest>([$"patient=Patient/{personId}"]);
        var referral = (ServiceRequest)referrals.Entry[0].Resource;
        Assert.StartsWith("HealthcareService/", referral.Performer[0].Reference, StringComparison.Ordinal);
        var service = await fhir.ReadAsync<HealthcareService>(referral.Performer[0].Reference);
        Assert.Equal(referral.Performer[0].Display, service.Name);

        var directory = await fhir.SearchAsync<HealthcareService>([]);
        Assert.Contains(directory.Entry.Select(e => (HealthcareService)e.Resource), s => s.Category[0].Text == "Non-clinical service");
    }

    [Fact]
    public async Task An_assessment_is_read_out_as_a_narrative_QuestionnaireResponse_with_no_score()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var presentation = await app.Read(db => db.Presentations.OrderByDescending(p => p.Id).FirstAsync(p => !db.Assessments.Any(a => a.PresentationId == p.Id)));
        var saved = await client.Post($"presentations/{presentation.Id}/assessment", "assessment", new Dictionary<string, string>
        {
            ["version"] = "0", ["action"] = "draft", ["PersonsOwnAccount"] = "I could not see a way through", ["risk-0-id"] = "", ["risk-0-text"] = "Alone at night",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        using var fhir = new FhirClient(new Uri(app.BaseAddress, "fhir/"), client, new FhirClientSettings { PreferredFormat = ResourceFormat.Json });
        var found = await fhir.SearchAsync<QuestionnaireResponse>([$"patient=Patient/{presentation.PersonId}"]);
        var response = (QuestionnaireResponse)Assert.Single(found.Entry).Resource;
        Assert.Equal(QuestionnaireResponse.QuestionnaireResponseStatus.InProgress, response.Status);
        // The questionnaire's canonical URL is on this server, where it resolves (FhirProfileTests).
        Assert.Equal(CanonicalUrls.Public(Aftercare.Assessments.QuestionnaireResponseFhir.QuestionnaireUrl, new Uri(app.BaseAddress, "fhir/").AbsoluteUri), response.Questionnaire);
        var account = response.Item.SelectMany(i => i.Item).Single(i => i.LinkId == "PersonsOwnAccount");
        Assert.Equal("I could not see a way through", ((FhirString)account.Answer[0].Value).Value);
        Assert.All(response.Item.SelectMany(i => i.Item).SelectMany(i => i.Answer), a => Assert.IsType<FhirString>(a.Value));
        Assert.NotNull(await fhir.ReadAsync<QuestionnaireResponse>($"QuestionnaireResponse/{response.Id}/_history/1"));
        var definition = await fhir.ReadAsync<Questionnaire>("Questionnaire/psychosocial-assessment");
        Assert.Equal(19, definition.Item.SelectMany(i => i.Item).Count(i => i.LinkId != "PersonsOwnAccount" && i.LinkId != "Formulation" && i.LinkId != "Outcome") + 1);
    }

    [Fact]
    public async Task A_transaction_that_fails_half_way_leaves_nothing_behind()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var (people, presentations) = (await app.PeopleCount(), await app.PresentationCount());
        var notSelfHarm = await client.PostAsync("fhir", Json(IntakeBundle(Requests.NewMrn(), Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-1), icd10: "J45")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notSelfHarm.StatusCode);
        var outcome = Assert.IsType<OperationOutcome>(FhirJson.Parse(await notSelfHarm.Content.ReadAsStringAsync()).Value);
        Assert.Contains("not an intentional self-harm code", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        var future = await client.PostAsync("fhir", Json(IntakeBundle(Requests.NewMrn(), Requests.DemoSiteCode, AftercareApplication.Now.AddHours(5))));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, future.StatusCode);
        Assert.Equal((people, presentations), (await app.PeopleCount(), await app.PresentationCount()));
    }

    [Fact]
    public async Task Rule1_A_RiskAssessment_with_a_prediction_is_refused_with_an_OperationOutcome_that_says_why()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var risk = new RiskAssessment { Status = ObservationStatus.Final, Subject = new ResourceReference("Patient/x") };
        risk.Prediction.Add(new RiskAssessment.PredictionComponent { Outcome = new CodeableConcept { Text = "Repeat self-harm" }, Probability = new FhirDecimal(0.3m) });
        var response = await client.PostAsync("fhir/RiskAssessment", Json(risk));
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, await response.Content.ReadAsStringAsync());
        var outcome = Assert.IsType<OperationOutcome>(FhirJson.Parse(await response.Content.ReadAsStringAsync()).Value);
        Assert.Equal(OperationOutcome.IssueType.BusinessRule, outcome.Issue[0].Code);
        Assert.Contains("does not store risk scores", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);

        var bundle = IntakeBundle(Requests.NewMrn(), Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-1));
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = risk, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "RiskAssessment" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PostAsync("fhir", Json(bundle))).StatusCode);
    }

    [Fact]
    public async Task Bad_requests_get_a_clear_OperationOutcome_and_no_stack_trace()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var malformed = await client.PostAsync("fhir", new StringContent("{ \"resourceType\": \"Bundle\", ", Encoding.UTF8, "application/fhir+json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var text = await malformed.Content.ReadAsStringAsync();
        Assert.Contains("OperationOutcome", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);

        var missing = await client.GetAsync($"fhir/Patient/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.IsType<OperationOutcome>(FhirJson.Parse(await missing.Content.ReadAsStringAsync()).Value);

        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        await UnknownParametersAreIgnoredUnlessStrict(client, $"fhir/Encounter?patient={person}");

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().GetAsync($"fhir/Patient/{person}")).StatusCode);
        var manager = await app.ClientFor(Roles.ServiceManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync($"fhir/Patient/{person}")).StatusCode);
    }

    /// <summary>FHIR: an unknown search parameter is ignored, unless the client asks for strict handling.</summary>
    internal static async Task UnknownParametersAreIgnoredUnlessStrict(HttpClient client, string search)
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"{search}&colour=blue")).StatusCode);
        using var strict = new HttpRequestMessage(HttpMethod.Get, $"{search}&colour=blue");
        strict.Headers.Add("Prefer", "handling=strict");
        var refused = await client.SendAsync(strict);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("colour", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patient_Encounter_and_Condition_round_trip_through_their_mappers()
    {
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).FirstAsync());
        var patient = Aftercare.People.PatientFhir.ToPatient(person);
        var back = Aftercare.People.PatientFhir.FromPatient(Assert.IsType<Patient>(FhirJson.Parse(FhirJson.Serialize(patient)).Value)).Value;
        Assert.Equal((person.GivenName, person.FamilyName, person.DateOfBirth, person.Sex, person.PreferredChannel, person.PriorPsychiatricHistory, person.GpPractice),
            (back.Details.GivenName, back.Details.FamilyName, back.Details.DateOfBirth!.Value, back.Details.Sex, back.Details.PreferredChannel, back.Details.PriorPsychiatricHistory, back.Details.GpPractice));
        Assert.Equal(person.Identifiers.Single(i => i.Kind == Domain.People.IdentifierKind.Mrn).Value, back.Mrn);

        var presentation = await app.Read(db => db.Presentations.OrderBy(p => p.Id).FirstAsync());
        var condition = Assert.IsType<Condition>(FhirJson.Parse(FhirJson.Serialize(Aftercare.Presentations.ConditionFhir.ToCondition(presentation))).Value);
        Assert.Equal(presentation.Methods, Aftercare.Presentations.ConditionFhir.MethodsFrom(condition).Value);
        var site = await app.Read(db => db.Sites.SingleAsync(s => s.Id == presentation.SiteId));
        var encounter = Assert.IsType<Encounter>(FhirJson.Parse(FhirJson.Serialize(Aftercare.Presentations.EncounterFhir.ToEncounter(presentation, site))).Value);
        Assert.Equal(presentation.ArrivedAt, encounter.Period.StartElement.ToDateTimeOffset(TimeSpan.Zero));
        Assert.Equal(presentation.Disposition.ToString(), encounter.Hospitalization.DischargeDisposition.Coding[0].Code);
    }

    [Fact]
    public async Task A_safety_plan_is_written_through_FHIR_and_a_stale_update_gets_412_and_changes_nothing()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var personId = await app.Read(db => db.People.Where(p => !db.SafetyPlans.Any(s => s.PersonId == p.Id)).OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        var created = await client.PostAsync("fhir/CarePlan", Json(SafetyPlanResource(personId, "Walk the dog")));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        Assert.Equal("W/\"1\"", created.Headers.ETag?.ToString());
        Assert.NotNull(created.Content.Headers.LastModified);
        var plan = Assert.IsType<CarePlan>(FhirJson.Parse(await created.Content.ReadAsStringAsync()).Value);
        Assert.EndsWith($"/fhir/CarePlan/{plan.Id}/_history/1", created.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("Walk the dog", plan.Activity[0].Detail.Description, StringComparison.Ordinal);

        // Agreed (active) at version 2, with If-Match naming version 1.
        var agreed = SafetyPlanResource(personId, "Call my sister", RequestStatus.Active);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"fhir/CarePlan/{plan.Id}") { Content = Json(agreed) };
        put.Headers.IfMatch.ParseAdd("W/\"1\"");
        var updated = await client.SendAsync(put);
        Assert.True(updated.StatusCode == HttpStatusCode.OK, await updated.Content.ReadAsStringAsync());
        Assert.Equal("W/\"2\"", updated.Headers.ETag?.ToString());

        // Someone still holding version 1 is refused, and the plan stays as version 2 left it.
        using var stale = new HttpRequestMessage(HttpMethod.Put, $"fhir/CarePlan/{plan.Id}") { Content = Json(SafetyPlanResource(personId, "Overwrite", RequestStatus.Active)) };
        stale.Headers.IfMatch.ParseAdd("W/\"1\"");
        var refused = await client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Contains("Someone else saved this", Assert.IsType<OperationOutcome>(FhirJson.Parse(await refused.Content.ReadAsStringAsync()).Value).Issue[0].Diagnostics, StringComparison.Ordinal);
        using var noVersion = new HttpRequestMessage(HttpMethod.Put, $"fhir/CarePlan/{plan.Id}") { Content = Json(SafetyPlanResource(personId, "Overwrite", RequestStatus.Active)) };
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await client.SendAsync(noVersion)).StatusCode);
        var stored = await app.Read(db => db.SafetyPlans.SingleAsync(p => p.Id == Guid.Parse(plan.Id)));
        Assert.Equal(2, stored.Version);
        Assert.StartsWith("Call my sister", stored.Content.Text(Domain.Plans.SafetyPlanSection.WarningSigns), StringComparison.Ordinal);

        // Amending an agreed plan needs a reason, as on the page.
        using var noReason = new HttpRequestMessage(HttpMethod.Put, $"fhir/CarePlan/{plan.Id}") { Content = Json(SafetyPlanResource(personId, "Changed", RequestStatus.Active)) };
        noReason.Headers.IfMatch.ParseAdd("W/\"2\"");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.SendAsync(noReason)).StatusCode);
        Assert.Contains(await app.AuditFor(personId), e => e.Action == Domain.Audit.AuditAction.SafetyPlanSaved && e.EntityId == $"{plan.Id} v2");
    }

    [Fact]
    public async Task Writes_that_break_the_rules_get_a_clear_OperationOutcome()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var personId = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        var plans = await app.Read(db => db.SafetyPlans.CountAsync());

        var carePlan = SafetyPlanResource(personId, "Words");
        carePlan.Category.Clear();
        carePlan.Category.Add(new CodeableConcept(Aftercare.Plans.CarePlanFhir.CarePlanCategorySystem, "assess-plan"));
        carePlan.Activity[0].Detail.Code.Text = "My favourite colour";
        var refused = await client.PostAsync("fhir/CarePlan", Json(carePlan));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var issues = Assert.IsType<OperationOutcome>(FhirJson.Parse(await refused.Content.ReadAsStringAsync()).Value).Issue;
        Assert.Contains(issues, i => i.Expression.Contains("CarePlan.category"));
        Assert.Contains(issues, i => i.Diagnostics.Contains("My favourite colour", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("fhir/CarePlan", Json(SafetyPlanResource(Guid.NewGuid(), "Words")))).StatusCode);
        using var unknown = new HttpRequestMessage(HttpMethod.Put, $"fhir/CarePlan/{Guid.NewGuid()}") { Content = Json(SafetyPlanResource(personId, "Words")) };
        unknown.Headers.IfMatch.ParseAdd("W/\"1\"");
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(unknown)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("fhir/CarePlan", Json(new Patient()))).StatusCode);
        Assert.Equal(plans, await app.Read(db => db.SafetyPlans.CountAsync()));

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"fhir/Encounter?patient={personId}&_lastUpdated=yesterday")).StatusCode);
        var recent = FhirJson.Parse(await client.GetStringAsync($"fhir/Encounter?patient={personId}&_lastUpdated=ge2099-01-01")).Value;
        Assert.Equal(0, Assert.IsType<Bundle>(recent).Total);
    }

    [Fact]
    public async Task Searches_filter_by_status_where_the_resource_has_one()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var registered = await client.PostAsync("fhir", Json(IntakeBundle(Requests.NewMrn(), Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-2))));
        var personId = Guid.Parse(Assert.IsType<Bundle>(FhirJson.Parse(await registered.Content.ReadAsStringAsync()).Value).Entry[0].Response.Location.Split('/')[1]);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("fhir/CarePlan", Json(SafetyPlanResource(personId, "Walk")))).StatusCode);
        async Task<int> Total(string query) => (int)Assert.IsType<Bundle>(FhirJson.Parse(await client.GetStringAsync(query)).Value).Total!;
        Assert.Equal(1, await Total($"fhir/CarePlan?patient=Patient/{personId}&status=draft"));
        Assert.Equal(0, await Total($"fhir/CarePlan?patient=Patient/{personId}&status=active"));
        Assert.Equal(1, await Total($"fhir/CarePlan?patient=Patient/{personId}&status=active,draft"));
        var encounters = await Total($"fhir/Encounter?patient=Patient/{personId}");
        Assert.True(encounters > 0);
        Assert.Equal(encounters, await Total($"fhir/Encounter?patient=Patient/{personId}&status=finished"));
        Assert.Equal(0, await Total($"fhir/Encounter?patient=Patient/{personId}&status=planned"));

        // Patient has no status: with strict handling, asking for one is refused.
        using var strict = new HttpRequestMessage(HttpMethod.Get, $"fhir/Condition?patient=Patient/{personId}&status=active");
        strict.Headers.Add("Prefer", "handling=strict");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(strict)).StatusCode);
        var statement = Assert.IsType<CapabilityStatement>(FhirJson.Parse(await client.GetStringAsync("fhir/metadata")).Value);
        Assert.Contains(statement.Rest[0].Resource.Single(r => r.Type == "Appointment").SearchParam, p => p.Name == "status");
        Assert.DoesNotContain(statement.Rest[0].Resource.Single(r => r.Type == "Condition").SearchParam, p => p.Name == "status");
    }

    /// <summary>The CapabilityStatement and the searches read one declaration per resource: every parameter it lists is taken, even under strict handling.</summary>
    [Fact]
    public async Task Every_search_parameter_the_capability_statement_lists_is_taken_under_strict_handling()
    {
        var (client, personId, statement) = await SomeoneRegisteredAndTheStatement();
        var values = new Dictionary<string, string>
        {
            ["patient"] = $"Patient/{personId}", ["subject"] = $"Patient/{personId}", ["identifier"] = $"{FhirSystems.MrnSystem}|none", ["date"] = "ge2020-01-01",
            ["_lastUpdated"] = "ge2020-01-01", ["_count"] = "5", ["_summary"] = "false", ["status"] = "active", ["category"] = "assess-plan", ["name"] = "a",
            ["activity-code"] = "reasons-for-living", ["url"] = "http://127.0.0.1/fhir/CodeSystem/none",
        };
        var searched = statement.Rest[0].Resource.Where(r => r.Interaction.Any(i => i.Code == CapabilityStatement.TypeRestfulInteraction.SearchType) && r.Type != "AuditEvent").ToList();
        Assert.NotEmpty(searched);
        foreach (var resource in searched)
        {
            var query = string.Join('&', resource.SearchParam.Select(p => $"{p.Name}={Uri.EscapeDataString(resource.Type is "Organization" or "Group" && p.Name == "identifier" ? $"{FhirSystems.SiteSystem}|none" : values[p.Name])}"));
            using var strict = new HttpRequestMessage(HttpMethod.Get, $"fhir/{resource.Type}?{query}");
            strict.Headers.Add("Prefer", "handling=strict");
            var answer = await client.SendAsync(strict);
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{resource.Type}?{query}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>One date parser for every search: a date that cannot be read is a 400 "value" issue naming the parameter, whichever resource is searched.</summary>
    [Fact]
    public async Task A_last_updated_that_is_not_a_date_is_refused_the_same_way_by_every_search()
    {
        var (client, personId, statement) = await SomeoneRegisteredAndTheStatement();
        foreach (var type in statement.Rest[0].Resource.Where(r => r.SearchParam.Any(p => p.Name == "_lastUpdated") && r.Type != "AuditEvent").Select(r => r.Type))
        {
            var answer = await client.GetAsync($"fhir/{type}?patient=Patient/{personId}&identifier={FhirSystems.MrnSystem}|none&_lastUpdated=yesterday");
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{type}: {(int)answer.StatusCode}");
            var issue = Assert.Single(Assert.IsType<OperationOutcome>(FhirJson.Parse(await answer.Content.ReadAsStringAsync()).Value).Issue);
            Assert.Equal((OperationOutcome.IssueType.Value, "_lastUpdated"), (issue.Code, issue.Expression.Single()));
        }
    }

    /// <summary>An aftercare worker's client, a person they registered through FHIR, and the CapabilityStatement.</summary>
    private async Task<(HttpClient Client, Guid PersonId, CapabilityStatement Statement)> SomeoneRegisteredAndTheStatement()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var registered = await client.PostAsync("fhir", Json(IntakeBundle(Requests.NewMrn(), Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-2))));
        var personId = Guid.Parse(Assert.IsType<Bundle>(FhirJson.Parse(await registered.Content.ReadAsStringAsync()).Value).Entry[0].Response.Location.Split('/')[1]);
        return (client, personId, Assert.IsType<CapabilityStatement>(FhirJson.Parse(await client.GetStringAsync("fhir/metadata")).Value));
    }
}
