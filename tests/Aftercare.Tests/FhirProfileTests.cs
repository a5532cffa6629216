// Firely's model marks nearly every element nullable; these tests assert the values they read.
#nullable disable

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Users;
using Aftercare.Fhir;
using Aftercare.Plans;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using CarePlan = Hl7.Fhir.Model.CarePlan;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Tests;

/// <summary>
/// Issue 13, profiles and terminology, from a client's side: canonical URLs that resolve on this
/// server, the safety plan's sections as codes, identifiers an integrator can match on (staff,
/// sites by ODS code, the GP by ODS code).
/// </summary>
public sealed class FhirProfileTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private string FhirBase => new Uri(app.BaseAddress, "fhir/").AbsoluteUri;

    private static async Task<T> Resource<T>(HttpResponseMessage response)
        where T : Resource
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return Assert.IsType<T>(FhirJson.Parse(body).Value);
    }

    private static async Task<string> Body(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>Every string in a JSON document.</summary>
    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        _ => [],
    };

    /// <summary>Someone with a presentation, a completed assessment and a safety plan, made through the pages.</summary>
    private async Task<(HttpClient Client, Guid PersonId, Guid PresentationId)> PersonWithAPlan()
    {
        var (client, personId, presentationId) = await app.Presented();
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"presentations/{presentationId}/assessment", "assessment", PlansTests.Assessment(0, "complete"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, "Not sleeping"))).StatusCode);
        return (client, personId, presentationId);
    }

    [Fact]
    public async Task Every_extension_code_system_and_questionnaire_url_the_server_gives_is_on_its_own_address_and_a_GET_of_it_returns_that_definition()
    {
        var (client, personId, presentationId) = await PersonWithAPlan();
        var answers = new List<string>
        {
            await Body(client, $"fhir/Patient/{personId}"),
            await Body(client, $"fhir/Encounter/{presentationId}"),
            await Body(client, $"fhir/CarePlan?patient={personId}"),
            await Body(client, $"fhir/QuestionnaireResponse?patient={personId}"),
            await Body(client, "fhir/metadata"),
        };
        foreach (var answer in answers)
        {
            Assert.DoesNotContain("aftercare.example", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("aftercare.invalid", answer, StringComparison.Ordinal);
        }

        var canonicals = answers.SelectMany(a => Strings(JsonDocument.Parse(a).RootElement))
            .Where(s => CanonicalUrls.Types.Any(t => s.Contains($"/fhir/{t}/", StringComparison.Ordinal))).Distinct().ToList();
        foreach (var expected in new[] { "StructureDefinition/prior-psychiatric-history", "StructureDefinition/alcohol-involved", "CodeSystem/disposition", "CodeSystem/safety-plan-section", "Questionnaire/psychosocial-assessment" })
        {
            Assert.Contains(FhirBase + expected, canonicals);
        }

        // Each resolves, without a sign-in, to the definition of that URL; and is found by url.
        var anonymous = app.AnonymousClient();
        foreach (var url in canonicals)
        {
            Assert.StartsWith(FhirBase, url, StringComparison.Ordinal);
            var type = url[FhirBase.Length..].Split('/')[0];
            var definition = JsonDocument.Parse(await Body(anonymous, url)).RootElement;
            Assert.Equal(type, definition.GetProperty("resourceType").GetString());
            Assert.Equal(url, definition.GetProperty("url").GetString());
            var found = await Resource<Bundle>(await anonymous.GetAsync($"fhir/{type}?url={Uri.EscapeDataString(url)}"));
            Assert.Equal(url, DefinitionsFhir.UrlOf(Assert.Single(found.Entry).Resource));
        }

        // Declared in the CapabilityStatement: read, and search by url.
        var statement = await Resource<CapabilityStatement>(await anonymous.GetAsync("fhir/metadata"));
        foreach (var type in CanonicalUrls.Types)
        {
            var declared = statement.Rest[0].Resource.Single(r => r.Type == type);
            Assert.Contains(declared.Interaction, i => i.Code == CapabilityStatement.TypeRestfulInteraction.Read);
            Assert.Contains(declared.SearchParam, p => p.Name == "url");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("fhir/StructureDefinition/no-such-definition")).StatusCode);
    }

    [Fact]
    public async Task An_extension_url_sent_back_as_the_server_gave_it_is_read()
    {
        var (client, personId, _) = await PersonWithAPlan();
        var plan = (await Resource<Bundle>(await client.GetAsync($"fhir/CarePlan?patient={personId}&category=http://loinc.org|{CarePlanFhir.SafetyPlanLoinc}"))).Entry.Select(e => (CarePlan)e.Resource).Single();

        // Completed on the page; amended through FHIR with the reason in the extension at this server's URL.
        plan.Status = RequestStatus.Active;
        plan.Activity[0].Detail.Description = "Not sleeping, and skipping meals";
        plan.Extension.Add(new Extension(FhirBase + "StructureDefinition/amendment-reason", new FhirString("The person added to their warning signs")));
        using var request = new HttpRequestMessage(HttpMethod.Put, $"fhir/CarePlan/{plan.Id}") { Content = FhirTests.Json(plan) };
        request.Headers.TryAddWithoutValidation("If-Match", $"W/\"{plan.Meta.VersionId}\"");
        var saved = await Resource<CarePlan>(await client.SendAsync(request));
        Assert.Equal("Not sleeping, and skipping meals", saved.Activity[0].Detail.Description);
        Assert.Equal("The person added to their warning signs",
            await app.Read(db => db.SafetyPlans.Where(p => p.PersonId == personId).SelectMany(p => p.Revisions).OrderByDescending(r => r.Version).Select(r => r.AmendmentReason).FirstAsync()));
    }

    [Fact]
    public async Task The_seven_safety_plan_sections_are_a_code_system_on_this_server_and_each_activity_carries_its_code_and_title()
    {
        var (client, personId, _) = await PersonWithAPlan();
        var system = FhirBase + "CodeSystem/safety-plan-section";
        var codes = await Resource<CodeSystem>(await app.AnonymousClient().GetAsync(system));
        Assert.Equal(system, codes.Url);
        Assert.Equal(
            SafetyPlanSections.All.Select(s => (CarePlanFhir.SectionCode(s), s.Title())).ToArray(),
            codes.Concept.Select(c => (c.Code, c.Display)).ToArray());
        Assert.Contains(codes.Concept, c => c.Code == "reasons-for-living");

        var plan = (await Resource<Bundle>(await client.GetAsync($"fhir/CarePlan?patient={personId}&category=http://loinc.org|{CarePlanFhir.SafetyPlanLoinc}"))).Entry.Select(e => (CarePlan)e.Resource).Single();
        Assert.Equal(7, plan.Activity.Count);
        foreach (var (activity, section) in plan.Activity.Zip(SafetyPlanSections.All))
        {
            var coding = Assert.Single(activity.Detail.Code.Coding);
            Assert.Equal((system, CarePlanFhir.SectionCode(section), section.Title()), (coding.System, coding.Code, coding.Display));
            Assert.Equal(section.Title(), activity.Detail.Code.Text);
        }
    }

    [Fact]
    public async Task An_app_finds_the_reasons_for_living_section_by_its_code()
    {
        var (client, personId, _) = await PersonWithAPlan();
        var reasons = Uri.EscapeDataString($"{FhirBase}CodeSystem/safety-plan-section|reasons-for-living");
        var found = await Resource<Bundle>(await client.GetAsync($"fhir/CarePlan?patient={personId}&activity-code={reasons}"));
        var plan = (CarePlan)Assert.Single(found.Entry).Resource;
        var section = plan.Activity.Single(a => a.Detail.Code.Coding.Any(c => c.Code == "reasons-for-living"));
        Assert.Equal(SafetyPlanSection.ReasonsForLiving.Title(), section.Detail.Code.Text);

        // The code alone finds it too; a code of no section, or another system, finds nothing.
        Assert.Single((await Resource<Bundle>(await client.GetAsync($"fhir/CarePlan?patient={personId}&activity-code=reasons-for-living"))).Entry);
        Assert.Empty((await Resource<Bundle>(await client.GetAsync($"fhir/CarePlan?patient={personId}&activity-code=no-such-section"))).Entry);
        Assert.Empty((await Resource<Bundle>(await client.GetAsync($"fhir/CarePlan?patient={personId}&activity-code=http://loinc.org|reasons-for-living"))).Entry);
        var statement = await Resource<CapabilityStatement>(await client.GetAsync("fhir/metadata"));
        Assert.Contains(statement.Rest[0].Resource.Single(r => r.Type == "CarePlan").SearchParam, p => p.Name == "activity-code");
    }

    [Fact]
    public async Task A_safety_plan_written_through_FHIR_is_read_by_its_section_codes_and_the_title_is_only_for_people()
    {
        var (client, personId, _) = await app.Presented();
        var system = FhirBase + "CodeSystem/safety-plan-section";
        var plan = FhirTests.SafetyPlanResource(personId, "Walks");
        foreach (var (activity, section) in plan.Activity.Zip(SafetyPlanSections.All))
        {
            // The code says which section; the title is whatever the app shows its people.
            activity.Detail.Code = new CodeableConcept(system, CarePlanFhir.SectionCode(section)) { Text = $"Section {(int)section + 1}" };
            activity.Detail.Description = $"Words for {section}";
        }

        var created = await Resource<CarePlan>(await client.PostAsync("fhir/CarePlan", FhirTests.Json(plan)));
        var saved = await app.Read(db => db.SafetyPlans.Include(p => p.Revisions).SingleAsync(p => p.Id == Guid.Parse(created.Id)));
        Assert.Equal("Words for ReasonsForLiving", saved.Revisions.Single().Content.Text(SafetyPlanSection.ReasonsForLiving));
        Assert.Equal(SafetyPlanSection.ReasonsForLiving.Title(), created.Activity[6].Detail.Code.Text);

        // A code that is no section is refused, naming the codes, and nothing is saved.
        plan.Activity[6].Detail.Code = new CodeableConcept(system, "reasons-to-live");
        var refused = await client.PostAsync("fhir/CarePlan", FhirTests.Json(plan));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var outcome = await refused.Content.ReadAsStringAsync();
        Assert.Contains("reasons-to-live", outcome, StringComparison.Ordinal);
        Assert.Contains("reasons-for-living", outcome, StringComparison.Ordinal);
        Assert.Equal(1, await app.Read(db => db.SafetyPlans.CountAsync(p => p.PersonId == personId)));
    }

    [Fact]
    public async Task A_practitioner_carries_their_accounts_stable_id_as_an_identifier()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var userId = await app.Read(db => db.Users.Where(u => u.Email == app.User(Roles.Clinician).Email).Select(u => u.Id).SingleAsync());
        var practitioner = await Resource<Practitioner>(await client.GetAsync($"fhir/Practitioner/{userId}"));
        var identifier = Assert.Single(practitioner.Identifier);
        Assert.Equal((FhirSystems.UserSystem, userId), (identifier.System, identifier.Value));
    }

    [Fact]
    public async Task A_site_is_an_Organization_with_its_ODS_code_and_is_found_by_it()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var northgate = Aftercare.App.Demo.DemoData.Sites[0];
        var found = await Resource<Bundle>(await client.GetAsync($"fhir/Organization?identifier={Uri.EscapeDataString(FhirSystems.OdsOrganizationSystem + "|" + northgate.OdsCode)}"));
        var organization = (Organization)Assert.Single(found.Entry).Resource;
        Assert.Equal(northgate.Name, organization.Name);
        Assert.Contains(organization.Identifier, i => i.System == FhirSystems.OdsOrganizationSystem && i.Value == northgate.OdsCode);
        Assert.Contains(organization.Identifier, i => i.System == FhirSystems.SiteSystem && i.Value == northgate.Code);
        Assert.Empty((await Resource<Bundle>(await client.GetAsync($"fhir/Organization?identifier={Uri.EscapeDataString(FhirSystems.OdsOrganizationSystem + "|" + northgate.Code)}"))).Entry);
    }

    [Fact]
    public async Task The_GP_practice_given_with_its_ODS_code_is_the_Patients_generalPractitioner_as_an_Organization_identifier()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var person = JsonSerializer.SerializeToElement(Requests.NewPerson(Requests.NewMrn())).Deserialize<Dictionary<string, object>>();
        person["gpPracticeCode"] = " a81001 ";
        var created = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-2), newPerson: person));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var personId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();

        var patient = await Resource<Patient>(await client.GetAsync($"fhir/Patient/{personId}"));
        var gp = Assert.Single(patient.GeneralPractitioner);
        Assert.Equal(("Organization", FhirSystems.OdsOrganizationSystem, "A81001", "Demo Street Surgery (fictional)"), (gp.Type, gp.Identifier.System, gp.Identifier.Value, gp.Display));
        Assert.Equal("A81001", (await client.GetFromJsonAsync<JsonElement>($"api/people/{personId}")).GetProperty("gpPracticeCode").GetString());
        Assert.Contains("ODS code A81001", await client.GetStringAsync($"people/{personId}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_GP_practice_code_that_is_not_an_ODS_code_is_a_clear_error_and_nothing_is_registered()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var mrn = Requests.NewMrn();
        var person = JsonSerializer.SerializeToElement(Requests.NewPerson(mrn)).Deserialize<Dictionary<string, object>>();
        person["gpPracticeCode"] = "A81-001";
        var api = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-2), newPerson: person));
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        Assert.Contains("like A81001", (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("gpPracticeCode")[0].GetString(), StringComparison.Ordinal);

        // On the page: the field keeps what was typed and says what is wrong.
        var page = await client.Post("presentations/new", "register", new Dictionary<string, string>
        {
            ["Form.Mrn"] = mrn, ["Form.GivenName"] = "Robin", ["Form.FamilyName"] = "Fictional", ["Form.DateOfBirth"] = "1994-03-27", ["Form.Sex"] = "Female",
            ["Form.Phone"] = "07700 900123", ["Form.PreferredChannel"] = "TextMessage", ["Form.GpPractice"] = "Demo Street Surgery (fictional)", ["Form.GpPracticeCode"] = "A81-001",
            ["Form.PriorPsychiatricHistory"] = "No", ["Form.ArrivedAt"] = London.Local(AftercareApplication.Now.AddHours(-2)), ["Form.SiteId"] = (await app.SiteId()).ToString(),
            ["methods"] = "MedicationOrDrugs", ["Form.AlcoholInvolved"] = "No", ["Form.MedicalTreatmentNeeded"] = "No", ["Form.Disposition"] = "Discharged",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("like A81001", html, StringComparison.Ordinal);
        Assert.Contains("value=\"A81-001\"", html, StringComparison.Ordinal);
        Assert.Contains("#gpPracticeCode\"", html, StringComparison.Ordinal);
        Assert.False(await app.Read(db => db.People.AnyAsync(p => p.Identifiers.Any(i => i.Value == mrn))));
    }

    [Fact]
    public async Task An_emergency_department_sending_the_GP_as_generalPractitioner_identifier_registers_the_practice_code()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var mrn = Requests.NewMrn();
        var bundle = FhirTests.IntakeBundle(mrn, Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-3));
        ((Patient)bundle.Entry[0].Resource).GeneralPractitioner.Add(new ResourceReference { Identifier = new Identifier(FhirSystems.OdsOrganizationSystem, "B82005"), Display = "Example Lane Practice (fictional)" });
        var response = await client.PostAsync("fhir", FhirTests.Json(bundle));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var person = await app.Read(db => db.People.SingleAsync(p => p.Identifiers.Any(i => i.Value == mrn)));
        Assert.Equal(("B82005", "Example Lane Practice (fictional)"), (person.GpPracticeCode, person.GpPractice));
    }

    [Fact]
    public async Task Demo_people_have_synthetic_GP_practice_codes_that_look_like_ODS_codes()
    {
        var codes = await app.Read(db => db.People.Where(p => p.GpPracticeCode != null && p.Identifiers.Any(i => i.Value.StartsWith("DEMO"))).Select(p => p.GpPracticeCode).Distinct().ToListAsync());
        Assert.NotEmpty(codes);
        Assert.All(codes, c => Assert.Matches("^Z9[0-9]{4}$", c));
    }

    private static IEnumerable<Resource> Included(Bundle bundle) => bundle.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Include).Select(e => e.Resource);

    [Fact]
    public async Task An_encounter_search_includes_the_person_once_marked_as_an_include_and_audited_as_a_read_of_them()
    {
        var (client, personId, presentationId) = await PersonWithAPlan();
        var before = await app.Read(db => db.AuditEvents.CountAsync(a => a.PersonId == personId && a.EntityId == "fhir read Patient (_include)"));
        var found = await Resource<Bundle>(await client.GetAsync($"fhir/Encounter?patient={personId}&_include=Encounter:subject"));
        Assert.Equal(presentationId.ToString(), Assert.Single(found.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Match).Resource.Id);
        var patient = Assert.IsType<Patient>(Assert.Single(Included(found)));
        Assert.Equal(personId.ToString(), patient.Id);
        Assert.Equal(1, found.Total);
        Assert.Equal(before + 1, await app.Read(db => db.AuditEvents.CountAsync(a => a.PersonId == personId && a.Action == Aftercare.Domain.Audit.AuditAction.PersonViewed && a.EntityId == "fhir read Patient (_include)")));
        Assert.Contains("_include=Encounter%3Asubject", found.Link.Single(l => l.Relation == "self").Url, StringComparison.Ordinal);

        // The same for a safety plan, by subject or patient.
        Assert.Equal(personId.ToString(), Assert.Single(Included(await Resource<Bundle>(await client.GetAsync($"fhir/CarePlan?patient={personId}&_include=CarePlan:patient")))).Id);
    }

    [Fact]
    public async Task A_condition_search_includes_the_encounter_it_was_recorded_in()
    {
        var (client, personId, presentationId) = await app.Presented();
        var found = await Resource<Bundle>(await client.GetAsync($"fhir/Condition?patient={personId}&_include=Condition:encounter&_include=Condition:subject"));
        var included = Included(found).ToList();
        Assert.Equal(presentationId.ToString(), Assert.IsType<Encounter>(Assert.Single(included, r => r is Encounter)).Id);
        Assert.Single(included, r => r is Patient);

        // And the other way: an encounter's conditions, by _revinclude.
        var encounters = await Resource<Bundle>(await client.GetAsync($"fhir/Encounter?patient={personId}&_revinclude=Condition:encounter"));
        Assert.Equal(presentationId.ToString(), Assert.IsType<Condition>(Assert.Single(Included(encounters))).Id);
    }

    [Fact]
    public async Task A_patient_search_revincludes_their_encounters_conditions_and_plans()
    {
        var (client, personId, presentationId) = await PersonWithAPlan();
        var mrn = await app.Read(db => db.People.Where(p => p.Id == personId).SelectMany(p => p.Identifiers).Where(i => i.Kind == Aftercare.Domain.People.IdentifierKind.Mrn).Select(i => i.Value).SingleAsync());
        var found = await Resource<Bundle>(await client.GetAsync(
            $"fhir/Patient?identifier={Uri.EscapeDataString(FhirSystems.MrnSystem + "|" + mrn)}&_revinclude=Encounter:subject&_revinclude=Condition:patient&_revinclude=CarePlan:subject"));
        Assert.Equal(personId.ToString(), Assert.Single(found.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Match).Resource.Id);
        var included = Included(found).ToList();
        Assert.Equal(presentationId.ToString(), Assert.Single(included.OfType<Encounter>()).Id);
        Assert.Equal(presentationId.ToString(), Assert.Single(included.OfType<Condition>()).Id);
        Assert.Contains(included.OfType<CarePlan>(), p => p.Category.Any(c => c.Coding.Any(x => x.Code == CarePlanFhir.SafetyPlanLoinc)));

        // The CapabilityStatement says so, from the same declarations.
        var statement = await Resource<CapabilityStatement>(await client.GetAsync("fhir/metadata"));
        var patient = statement.Rest[0].Resource.Single(r => r.Type == "Patient");
        Assert.Contains("Encounter:subject", patient.SearchRevInclude);
        Assert.Contains("CarePlan:patient", patient.SearchRevInclude);
        Assert.Contains("Condition:encounter", statement.Rest[0].Resource.Single(r => r.Type == "Encounter").SearchRevInclude);
        Assert.Contains("Condition:encounter", statement.Rest[0].Resource.Single(r => r.Type == "Condition").SearchInclude);
        Assert.Contains("Encounter:subject", statement.Rest[0].Resource.Single(r => r.Type == "Encounter").SearchInclude);
    }

    [Fact]
    public async Task An_include_the_type_does_not_declare_is_refused_under_strict_handling_and_otherwise_ignored()
    {
        var (client, personId, _) = await app.Presented();
        using var strict = new HttpRequestMessage(HttpMethod.Get, $"fhir/Encounter?patient={personId}&_include=Encounter:service-provider");
        strict.Headers.Add("Prefer", "handling=strict");
        var refused = await client.SendAsync(strict);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Encounter:subject", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var lenient = await Resource<Bundle>(await client.GetAsync($"fhir/Encounter?patient={personId}&_include=Encounter:service-provider"));
        Assert.Empty(Included(lenient));
        Assert.DoesNotContain("service-provider", lenient.Link.Single(l => l.Relation == "self").Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_outside_the_care_team_gets_nothing_included()
    {
        var (_, personId, _) = await app.Presented();
        var mrn = await app.Read(db => db.People.Where(p => p.Id == personId).SelectMany(p => p.Identifiers).Where(i => i.Kind == Aftercare.Domain.People.IdentifierKind.Mrn).Select(i => i.Value).SingleAsync());
        var outsider = await app.ClientFor(app.OtherTeamClinician);
        Assert.Empty((await Resource<Bundle>(await outsider.GetAsync($"fhir/Encounter?patient={personId}&_include=Encounter:subject"))).Entry);
        Assert.Empty((await Resource<Bundle>(await outsider.GetAsync(
            $"fhir/Patient?identifier={Uri.EscapeDataString(FhirSystems.MrnSystem + "|" + mrn)}&_revinclude=Encounter:subject"))).Entry);
        Assert.False(await app.Read(db => db.AuditEvents.AnyAsync(a => a.PersonId == personId && a.Actor == app.OtherTeamClinician.Email && a.EntityId != null && a.EntityId.EndsWith("(_include)"))));
    }

    /// <summary>The definitions kept in the repo, beside the code that names them.</summary>
    private static string DefinitionsFolder => Path.Combine(FhirConformanceSuiteTests.RepoRoot, "src", "Aftercare", "Fhir", "Definitions");

    /// <summary>
    /// Each profile is published with its differential and the snapshot Firely's SnapshotGenerator makes of it
    /// over the base R4 definitions; AFTERCARE_WRITE_SNAPSHOTS=1 writes the snapshots after a differential changes.
    /// </summary>
    [Fact]
    public async Task Each_profile_is_published_with_the_snapshot_the_generator_makes_of_its_differential()
    {
        var core = new Hl7.Fhir.Specification.Source.CachedResolver(
            Hl7.Fhir.Specification.Source.ZipSource.CreateValidationSource(Path.Combine(AppContext.BaseDirectory, "specification.zip")));
        var profiles = Directory.GetFiles(DefinitionsFolder, "StructureDefinition-*.json").Select(f => (File: f, Definition: (StructureDefinition)FhirJson.Parse(File.ReadAllText(f)).Value))
            .Where(p => p.Definition.Kind == StructureDefinition.StructureDefinitionKind.Resource).ToList();
        Assert.Equal(["aftercare-condition", "aftercare-encounter", "aftercare-patient", "aftercare-safety-plan"], profiles.Select(p => p.Definition.Id).Order(StringComparer.Ordinal).ToArray());
        foreach (var (file, published) in profiles)
        {
            var made = (StructureDefinition)published.DeepCopy();
            made.Snapshot = null;
            await new Hl7.Fhir.Specification.Snapshot.SnapshotGenerator(core).UpdateAsync(made);
            Assert.NotNull(made.Snapshot);
            DefinitionsFhir.Publishable(made);
            if (Environment.GetEnvironmentVariable("AFTERCARE_WRITE_SNAPSHOTS") == "1")
            {
                await File.WriteAllTextAsync(file, Pretty(FhirJson.Serialize(made)) + "\n", TestContext.Current.CancellationToken);
                continue;
            }

            Assert.True(published.Snapshot is not null, $"{Path.GetFileName(file)} has no snapshot: run this test with AFTERCARE_WRITE_SNAPSHOTS=1.");
            Assert.Equal(Pretty(FhirJson.Serialize(new StructureDefinition { Snapshot = made.Snapshot })), Pretty(FhirJson.Serialize(new StructureDefinition { Snapshot = published.Snapshot })));
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Pretty(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, Indented);

    [Fact]
    public async Task Patients_encounters_conditions_and_safety_plans_name_the_profile_they_conform_to_and_are_validated_against_it()
    {
        var (client, personId, presentationId) = await PersonWithAPlan();
        Assert.Equal(FhirBase + "StructureDefinition/aftercare-patient", Assert.Single((await Resource<Patient>(await client.GetAsync($"fhir/Patient/{personId}"))).Meta.Profile));
        Assert.Equal(FhirBase + "StructureDefinition/aftercare-encounter", Assert.Single((await Resource<Encounter>(await client.GetAsync($"fhir/Encounter/{presentationId}"))).Meta.Profile));
        Assert.Equal(FhirBase + "StructureDefinition/aftercare-condition", Assert.Single((await Resource<Condition>(await client.GetAsync($"fhir/Condition/{presentationId}"))).Meta.Profile));
        var plans = (await Resource<Bundle>(await client.GetAsync($"fhir/CarePlan?patient={personId}"))).Entry.Select(e => (CarePlan)e.Resource).ToList();
        Assert.Equal(FhirBase + "StructureDefinition/aftercare-safety-plan", Assert.Single(plans.Single(p => p.Category.Any(c => c.Coding.Any(x => x.Code == CarePlanFhir.SafetyPlanLoinc))).Meta.Profile));
        var profile = await Resource<StructureDefinition>(await app.AnonymousClient().GetAsync("fhir/StructureDefinition/aftercare-patient"));
        Assert.NotNull(profile.Snapshot);
        Assert.NotEmpty(profile.Differential.Element);

        // The validator every test's client runs reads the profile: a Patient that names it and has no date of birth fails.
        var patient = await client.GetStringAsync($"fhir/Patient/{personId}");
        var broken = System.Text.Json.Nodes.JsonNode.Parse(patient)!.AsObject();
        broken.Remove("birthDate");
        var failure = Assert.Throws<FhirValidationException>(() => FhirValidation.Check(broken.ToJsonString(), "application/fhir+json", "a Patient without a date of birth"));
        Assert.Contains("birthDate", failure.Message, StringComparison.Ordinal);
        FhirValidation.Check(patient, "application/fhir+json", "the Patient as the server gave it");
    }
}
