// Firely's model marks nearly every element nullable; these tests assert the values they read.
#nullable disable

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Aftercare.Domain.Users;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Tests;

/// <summary>
/// What an integrator's client meets on writes, bundles and the edge of /fhir (issue 13): the
/// answers FHIR R4 requires, each through the real pipeline.
/// </summary>
public sealed class FhirWriteConformanceTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private static StringContent Json(Resource resource) => FhirTests.Json(resource);

    private static async Task<OperationOutcome> OutcomeOf(HttpResponseMessage response)
    {
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        return Assert.IsType<OperationOutcome>(FhirJson.Parse(await response.Content.ReadAsStringAsync()).Value);
    }

    private async Task<(Guid PersonId, CarePlan Plan)> NewSafetyPlan(HttpClient client)
    {
        var personId = await app.Read(db => db.People.Where(p => !db.SafetyPlans.Any(s => s.PersonId == p.Id)).OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        var created = await client.PostAsync("fhir/CarePlan", Json(FhirTests.SafetyPlanResource(personId, "Walk the dog")));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (personId, Assert.IsType<CarePlan>(FhirJson.Parse(await created.Content.ReadAsStringAsync()).Value));
    }

    [Fact]
    public async Task A_PUT_whose_body_id_is_not_the_URL_id_is_refused_with_400_and_saves_nothing()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var (personId, plan) = await NewSafetyPlan(client);

        var other = FhirTests.SafetyPlanResource(personId, "Someone else's words");
        other.Id = Guid.NewGuid().ToString();
        using var put = new HttpRequestMessage(HttpMethod.Put, $"fhir/CarePlan/{plan.Id}") { Content = Json(other) };
        put.Headers.IfMatch.ParseAdd("W/\"1\"");
        var refused = await client.SendAsync(put);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("not the id in the URL", (await OutcomeOf(refused)).Issue[0].Diagnostics, StringComparison.Ordinal);
        var stored = await app.Read(db => db.SafetyPlans.SingleAsync(p => p.Id == Guid.Parse(plan.Id)));
        Assert.Equal(1, stored.Version);
        Assert.StartsWith("Walk the dog", stored.Content.Text(Domain.Plans.SafetyPlanSection.WarningSigns), StringComparison.Ordinal);

        // The same body with the URL's id is saved.
        other.Id = plan.Id;
        using var same = new HttpRequestMessage(HttpMethod.Put, $"fhir/CarePlan/{plan.Id}") { Content = Json(other) };
        same.Headers.IfMatch.ParseAdd("W/\"1\"");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(same)).StatusCode);
    }

    [Fact]
    public async Task A_transaction_response_has_one_entry_per_request_entry_in_request_order()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var mrn = Requests.NewMrn();
        var arrived = AftercareApplication.Now.AddHours(-6);

        // Three entries, sent Condition, Encounter, Patient: answered in that order.
        var three = FhirTests.IntakeBundle(mrn, Requests.DemoSiteCode, arrived);
        three.Entry.Reverse();
        var first = await client.PostAsync("fhir", Json(three));
        Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var answer = Assert.IsType<Bundle>(FhirJson.Parse(await first.Content.ReadAsStringAsync()).Value);
        Assert.Equal(Bundle.BundleType.TransactionResponse, answer.Type);
        Assert.Equal(["Condition", "Encounter", "Patient"], answer.Entry.Select(e => e.Response.Location.Split('/')[0]).ToArray());
        var patientId = answer.Entry[2].Response.Location.Split('/')[1];

        // Two entries (an Encounter and a Condition for someone already known): two answers.
        var two = FhirTests.IntakeBundle(mrn, Requests.DemoSiteCode, arrived.AddHours(1));
        two.Entry.RemoveAt(0);
        ((Encounter)two.Entry[0].Resource).Subject = new ResourceReference($"Patient/{patientId}");
        ((Condition)two.Entry[1].Resource).Subject = new ResourceReference($"Patient/{patientId}");
        var second = await client.PostAsync("fhir", Json(two));
        Assert.True(second.StatusCode == HttpStatusCode.OK, await second.Content.ReadAsStringAsync());
        var answers = Assert.IsType<Bundle>(FhirJson.Parse(await second.Content.ReadAsStringAsync()).Value).Entry;
        Assert.Equal(["Encounter", "Condition"], answers.Select(e => e.Response.Location.Split('/')[0]).ToArray());
        Assert.All(answers, e => Assert.Equal("201 Created", e.Response.Status));
        Assert.Equal(answers[0].Response.Location.Split('/')[1], answers[1].Response.Location.Split('/')[1]);
    }

    [Fact]
    public async Task A_history_bundle_says_what_each_version_got_under_its_version_independent_url()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var (personId, plan) = await NewSafetyPlan(client);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"fhir/CarePlan/{plan.Id}") { Content = Json(FhirTests.SafetyPlanResource(personId, "Call my sister")) };
        put.Headers.IfMatch.ParseAdd("W/\"1\"");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(put)).StatusCode);

        var history = Assert.IsType<Bundle>(FhirJson.Parse(await client.GetStringAsync($"fhir/CarePlan/{plan.Id}/_history")).Value);
        Assert.Equal(Bundle.BundleType.History, history.Type);
        Assert.Equal(["2", "1"], history.Entry.Select(e => e.Resource.Meta.VersionId).ToArray());
        Assert.All(history.Entry, e => Assert.Equal(new Uri(app.BaseAddress, $"fhir/CarePlan/{plan.Id}").ToString(), e.FullUrl));
        Assert.Equal(["200 OK", "201 Created"], history.Entry.Select(e => e.Response.Status).ToArray());
        Assert.Equal(["W/\"2\"", "W/\"1\""], history.Entry.Select(e => e.Response.Etag).ToArray());
        Assert.Equal([Bundle.HTTPVerb.PUT, Bundle.HTTPVerb.POST], history.Entry.Select(e => e.Request.Method.Value).ToArray());
    }

    /// <summary>A presentation of the first person, whom the demo clinician may open.</summary>
    private Task<Guid> FirstPresentation() =>
        app.Read(db => db.Presentations.Where(p => p.PersonId == db.People.OrderBy(x => x.Id).Select(x => x.Id).First()).OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());

    [Fact]
    public async Task A_Condition_says_its_clinical_status()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var presentation = await FirstPresentation();
        var condition = Assert.IsType<Condition>(FhirJson.Parse(await client.GetStringAsync($"fhir/Condition/{presentation}")).Value);
        Assert.Equal("active", condition.ClinicalStatus.Coding.Single().Code);
        Assert.Equal("http://terminology.hl7.org/CodeSystem/condition-clinical", condition.ClinicalStatus.Coding[0].System);
    }

    [Fact]
    public async Task No_resource_the_server_returns_carries_an_empty_string()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        // Someone with an episode and a referral, and someone else with an empty safety-plan draft (every section left blank).
        // Two people, so that each search below is asked once for each (the same person twice made the lookup ambiguous).
        var personId = await app.Read(db => db.Referrals.Join(db.Episodes, r => r.PersonId, e => e.PersonId, (r, e) => r.PersonId).OrderBy(id => id).FirstAsync());
        var drafter = await app.Read(db => db.People.Where(p => p.Id != personId && !db.SafetyPlans.Any(s => s.PersonId == p.Id) && p.Identifiers.Any(i => i.Value.StartsWith("DEMO"))).OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        var empty = new Dictionary<string, string>(Domain.Plans.SafetyPlanSections.All.ToDictionary(s => s.ToString(), _ => "")) { ["version"] = "0", ["action"] = "draft" };
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{drafter}/safety-plan", "safety-plan", empty)).StatusCode);

        var statement = Assert.IsType<CapabilityStatement>(FhirJson.Parse(await client.GetStringAsync("fhir/metadata")).Value);
        var answers = new List<(string Url, string Json)> { ("fhir/metadata", await client.GetStringAsync("fhir/metadata")) };
        foreach (var resource in statement.Rest[0].Resource.Where(r => r.Type != "AuditEvent" && r.Interaction.Any(i => i.Code == CapabilityStatement.TypeRestfulInteraction.SearchType)))
        {
            if (!resource.SearchParam.Any(p => p.Name == "patient"))
            {
                // Directories (services, staff, sites): their whole list, where a bare search is taken.
                var listed = await client.GetAsync($"fhir/{resource.Type}");
                if (listed.StatusCode == HttpStatusCode.OK)
                {
                    answers.Add(($"fhir/{resource.Type}", await listed.Content.ReadAsStringAsync()));
                }

                continue;
            }

            foreach (var who in new[] { personId, drafter })
            {
                var url = $"fhir/{resource.Type}?patient=Patient/{who}";
                var response = await client.GetAsync(url);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {await response.Content.ReadAsStringAsync()}");
                answers.Add((url, await response.Content.ReadAsStringAsync()));
            }
        }

        var patient = await client.GetAsync($"fhir/Patient/{personId}");
        answers.Add(("fhir/Patient", await patient.Content.ReadAsStringAsync()));
        answers.Add(("fhir/Questionnaire", await client.GetStringAsync("fhir/Questionnaire/psychosocial-assessment")));
        var plans = Assert.IsType<Bundle>(FhirJson.Parse(answers.Single(a => a.Url == $"fhir/CarePlan?patient=Patient/{drafter}").Json).Value);
        var safetyPlan = plans.Entry.Select(e => (CarePlan)e.Resource).Single(p => p.Category.Any(c => c.Coding.Any(x => x.Code == Aftercare.Plans.CarePlanFhir.SafetyPlanLoinc)));
        answers.Add(("fhir/CarePlan/_history", await client.GetStringAsync($"fhir/CarePlan/{safetyPlan.Id}/_history")));
        Assert.Equal(7, safetyPlan.Activity.Count);
        Assert.All(safetyPlan.Activity, a => Assert.Null(a.Detail.Description));

        var searched = answers.Where(a => a.Url.Contains("?patient=", StringComparison.Ordinal)).Select(a => FhirJson.Parse(a.Json).Value).OfType<Bundle>();
        Assert.True(searched.Count(b => b.Total > 0) >= 6, "The walk covers at least six kinds of record about the person.");
        var empties = answers.SelectMany(a => EmptyStrings(JsonNode.Parse(a.Json), "").Select(path => $"{a.Url}: {path}")).ToList();
        Assert.True(empties.Count == 0, string.Join("\n", empties));
    }

    /// <summary>The paths of every "" in a JSON document (R4: a string is never empty).</summary>
    private static IEnumerable<string> EmptyStrings(JsonNode node, string path) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Value is null ? [] : EmptyStrings(p.Value, $"{path}.{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => item is null ? [] : EmptyStrings(item, $"{path}[{i}]")),
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length == 0 => [path],
        _ => [],
    };

    [Fact]
    public async Task Unknown_types_routes_operations_and_methods_answer_with_an_OperationOutcome()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());

        foreach (var url in new[] { "fhir/Observation", "fhir/Observation/1", $"fhir/Patient/{person}/$everything", "fhir/$everything", "fhir/no/such/route/here" })
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url}: {response.StatusCode}");
            Assert.Equal(OperationOutcome.IssueType.NotSupported, (await OutcomeOf(response)).Issue[0].Code);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await app.AnonymousClient().GetAsync("fhir/Observation")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("fhir/Observation", Json(new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "1-8") }))).StatusCode);

        // Served paths, by a method they do not take: 405, and Allow says what they do take.
        var cases = new (HttpMethod Method, string Url, string Allow)[]
        {
            (HttpMethod.Delete, $"fhir/Patient/{person}", "GET"),
            (HttpMethod.Put, $"fhir/Patient/{person}", "GET"),
            (HttpMethod.Post, "fhir/Patient", "GET"),
            (HttpMethod.Delete, "fhir/CarePlan", "GET, POST"),
            (HttpMethod.Get, "fhir", "POST"),
        };
        foreach (var (method, url, allow) in cases)
        {
            using var request = new HttpRequestMessage(method, url) { Content = method == HttpMethod.Get ? null : Json(new Patient { Gender = AdministrativeGender.Unknown }) };
            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.MethodNotAllowed, $"{method} {url}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
            Assert.Equal(OperationOutcome.IssueType.NotSupported, (await OutcomeOf(response)).Issue[0].Code);
        }
    }

    [Fact]
    public async Task A_32_MiB_body_is_refused_with_413_without_echoing_it_and_nothing_is_saved()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var (people, presentations) = (await app.PeopleCount(), await app.PresentationCount());
        var huge = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"id\":\"" + new string('x', 32 * 1024 * 1024) + "\"}";
        var refused = await client.PostAsync("fhir", new StringContent(huge, Encoding.UTF8, "application/fhir+json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.TooCostly, (await OutcomeOf(refused)).Issue[0].Code);
        Assert.True((await refused.Content.ReadAsByteArrayAsync()).Length < 2000);

        // A client that waits for 100-continue is answered before it sends the body at all.
        using var careful = new HttpRequestMessage(HttpMethod.Post, "fhir") { Content = new StringContent(huge, Encoding.UTF8, "application/fhir+json") };
        careful.Headers.ExpectContinue = true;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.SendAsync(careful)).StatusCode);

        // Under the limit, a value the parser cannot take is named, not sent back.
        var long1 = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"timestamp\":\"" + new string('9', 900 * 1024) + "\"}";
        var unreadable = await client.PostAsync("fhir", new StringContent(long1, Encoding.UTF8, "application/fhir+json"));
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
        Assert.True((await unreadable.Content.ReadAsByteArrayAsync()).Length < 10_000, $"{(await unreadable.Content.ReadAsByteArrayAsync()).Length} bytes");
        Assert.Equal((people, presentations), (await app.PeopleCount(), await app.PresentationCount()));
    }

    [Fact]
    public async Task A_write_in_anything_but_FHIR_JSON_gets_415_and_nothing_is_saved()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var (people, presentations) = (await app.PeopleCount(), await app.PresentationCount());
        var body = FhirJson.Serialize(FhirTests.IntakeBundle(Requests.NewMrn(), Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-2)));
        foreach (var type in new[] { "text/plain", "application/xml", "application/fhir+xml", "application/x-www-form-urlencoded" })
        {
            var refused = await client.PostAsync("fhir", new StringContent(body, Encoding.UTF8, type));
            Assert.True(refused.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{type}: {refused.StatusCode}");
            Assert.Contains("application/fhir+json", (await OutcomeOf(refused)).Issue[0].Diagnostics, StringComparison.Ordinal);
        }

        using var untyped = new HttpRequestMessage(HttpMethod.Post, "fhir") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.SendAsync(untyped)).StatusCode);
        Assert.Equal((people, presentations), (await app.PeopleCount(), await app.PresentationCount()));

        // Plain application/json is FHIR JSON too.
        var accepted = await client.PostAsync("fhir", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(accepted.StatusCode == HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        Assert.Equal(presentations + 1, await app.PresentationCount());
    }

    [Fact]
    public async Task Asking_for_XML_gets_406_and_the_capability_statement_declares_JSON_only()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        foreach (var url in new[] { "fhir/metadata?_format=xml", "fhir/metadata?_format=application/fhir%2Bxml", $"fhir/Patient/{person}?_format=xml" })
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.NotAcceptable, $"{url}: {response.StatusCode}");
            Assert.Equal(OperationOutcome.IssueType.NotSupported, (await OutcomeOf(response)).Issue[0].Code);
        }

        using var xml = new HttpRequestMessage(HttpMethod.Get, $"fhir/Patient/{person}");
        xml.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+xml"));
        Assert.Equal(HttpStatusCode.NotAcceptable, (await client.SendAsync(xml)).StatusCode);

        // JSON, asked for in any of its names, or with XML preferred but JSON taken too.
        using var either = new HttpRequestMessage(HttpMethod.Get, $"fhir/Patient/{person}");
        either.Headers.Accept.ParseAdd("application/fhir+xml, application/fhir+json;q=0.5");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(either)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"fhir/Patient/{person}?_format=json")).StatusCode);
        var statement = Assert.IsType<CapabilityStatement>(FhirJson.Parse(await client.GetStringAsync("fhir/metadata?_format=application/fhir%2Bjson")).Value);
        Assert.Equal(["application/fhir+json"], statement.Format.ToArray());
    }

    [Fact]
    public async Task An_ICD10_code_keeps_every_character_and_comes_back_with_its_display_in_the_UK_edition()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var intake = FhirTests.IntakeBundle(Requests.NewMrn(), Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-3), icd10: "X78.0");
        var condition = (Condition)intake.Entry[2].Resource;
        condition.Code.Coding.Add(new Coding(FhirSystems.Icd10UkSystem, "X610"));
        var response = await client.PostAsync("fhir", Json(intake));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var id = Assert.IsType<Bundle>(FhirJson.Parse(await response.Content.ReadAsStringAsync()).Value).Entry[1].Response.Location.Split('/')[1];

        var read = Assert.IsType<Condition>(FhirJson.Parse(await client.GetStringAsync($"fhir/Condition/{id}")).Value);
        var icd10 = read.Code.Coding.Where(c => c.System == FhirSystems.Icd10UkSystem).ToList();
        Assert.Equal(["X78.0", "X610"], icd10.Select(c => c.Code).ToArray());
        Assert.Equal("Intentional self-harm by sharp object: home", icd10[0].Display);
        Assert.StartsWith("Intentional self-poisoning by and exposure to antiepileptic", icd10[1].Display, StringComparison.Ordinal);
        Assert.All(read.Code.Coding, c => Assert.False(string.IsNullOrEmpty(c.Display)));

        // The groups on the person's page follow from the codes.
        var presentation = await app.Read(db => db.Presentations.SingleAsync(p => p.Id == Guid.Parse(id)));
        Assert.Equal([Domain.Presentations.SelfHarmMethod.SharpObject, Domain.Presentations.SelfHarmMethod.MedicationOrDrugs], presentation.Methods.ToArray());

        // A group chosen on the page comes out as the code that stands for it, with its title.
        var chosenId = await FirstPresentation();
        var chosen = await app.Read(db => db.Presentations.SingleAsync(p => p.Id == chosenId));
        var written = Assert.IsType<Condition>(FhirJson.Parse(await client.GetStringAsync($"fhir/Condition/{chosen.Id}")).Value);
        Assert.All(written.Code.Coding, c => Assert.False(string.IsNullOrEmpty(c.Display)));
        Assert.Equal(chosen.Methods.Count, written.Code.Coding.Count(c => c.System == FhirSystems.Icd10UkSystem));
    }
}
