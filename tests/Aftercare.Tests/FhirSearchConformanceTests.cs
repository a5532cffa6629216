// Firely's model marks nearly every element nullable; these tests assert the values they read.
#nullable disable

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App.Demo;
using Aftercare.Domain.Users;
using Aftercare.Fhir;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Aftercare.Tests;

/// <summary>
/// Search as an integrator's client sees it (issue 13): comma lists, a token that matches nothing,
/// the total only, dates at every FHIR precision, <c>_lastUpdated</c> on every type that declares
/// it, links that echo only what applied, paging that never repeats a resource, and search by POST.
/// Driven by Firely's own FhirClient where it has the call, otherwise by plain HTTP.
/// </summary>
public sealed class FhirSearchConformanceTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private FhirClient Fhir(HttpClient client) =>
        new(new Uri(app.BaseAddress, "fhir/"), client, new FhirClientSettings { PreferredFormat = ResourceFormat.Json });

    /// <summary>Someone registered by an ED system's intake bundle, arriving two hours before "now" (2026-11-20 08:00 UTC).</summary>
    private async Task<(HttpClient Client, Guid PersonId, string Mrn)> Registered(DateTimeOffset? arrived = null)
    {
        var client = await app.ClientFor(Roles.Clinician);
        var mrn = Requests.NewMrn();
        var registered = await client.PostAsync("fhir", FhirTests.Json(FhirTests.IntakeBundle(mrn, Requests.DemoSiteCode, arrived ?? AftercareApplication.Now.AddHours(-2))));
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        var personId = Guid.Parse(Assert.IsType<Bundle>(FhirJson.Parse(await registered.Content.ReadAsStringAsync()).Value).Entry[0].Response.Location.Split('/')[1]);
        return (client, personId, mrn);
    }

    /// <summary>Someone with a care plan and a safety plan, enrolled in aftercare (contacts booked, caring messages waiting to go).</summary>
    private async Task<(HttpClient Client, Guid PersonId)> Enrolled()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var created = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-8), newPerson: Requests.NewPerson(Requests.NewMrn(), given: "Ari", family: "Searchable")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var personId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentationId = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"presentations/{presentationId}/assessment", "assessment", PlansTests.Assessment(0, "complete"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/care-plan", "care-plan", new Dictionary<string, string>
        {
            ["version"] = "0", ["action"] = "draft", ["longTermGoals"] = "Back to work", ["goal-0-goal"] = "Sleep better", ["goal-0-steps"] = "A walk each evening",
        }.Append(new("aims", "PreventEscalation")))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, "Not sleeping"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = London.Local(AftercareApplication.Now.AddHours(-1)), ["pathwayId"] = "first-contact", ["reason"] = "", ["preference"] = "NoPreference",
        })).StatusCode);
        return (client, personId);
    }

    private static async Task<Bundle> Get(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return Assert.IsType<Bundle>(FhirJson.Parse(body).Value);
    }

    [Fact]
    public async Task A_comma_list_of_identifiers_or_categories_finds_every_one_it_names()
    {
        var (client, first, firstMrn) = await Registered();
        var (_, second, secondMrn) = await Registered();
        var fhir = Fhir(client);

        var either = await fhir.SearchAsync<Patient>([$"identifier={FhirSystems.MrnSystem}|{firstMrn},{FhirSystems.MrnSystem}|{secondMrn}"]);
        Assert.Equal(new[] { first, second }.Order(), either.Entry.Select(e => Guid.Parse(e.Resource.Id)).Order());
        Assert.Equal(2, either.Total);
        Assert.Equal(2, (await fhir.SearchAsync<Patient>([$"identifier={firstMrn},{secondMrn}"])).Total);
        Assert.Equal(0, (await fhir.SearchAsync<Patient>([$"identifier={firstMrn}", $"identifier={secondMrn}"])).Total); // repeated: both at once

        var (planner, person) = await Enrolled();
        var plans = Fhir(planner);
        var both = await plans.SearchAsync<CarePlan>([$"patient=Patient/{person}", $"category=assess-plan,{FhirSystems.LoincSystem}|{Aftercare.Plans.CarePlanFhir.SafetyPlanLoinc}"]);
        Assert.Equal(2, both.Total);
        Assert.Equal([Aftercare.Plans.CarePlanFhir.SafetyPlanLoinc, "assess-plan"], both.Entry.Select(e => ((CarePlan)e.Resource).Category[0].Coding[0].Code).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(1, (await plans.SearchAsync<CarePlan>([$"patient=Patient/{person}", "category=assess-plan"])).Total);

        var codes = DemoData.Sites.Take(2).Select(s => $"{FhirSystems.SiteSystem}|{s.Code}").ToArray();
        Assert.Equal(2, (await plans.SearchAsync<Organization>([$"identifier={string.Join(',', codes)}"])).Total);
    }

    [Fact]
    public async Task A_category_that_matches_nothing_finds_no_plans()
    {
        var (client, person) = await Enrolled();
        var fhir = Fhir(client);
        Assert.Equal(2, (await fhir.SearchAsync<CarePlan>([$"patient=Patient/{person}"])).Total);
        foreach (var category in new[] { "no-such-category", $"{FhirSystems.LoincSystem}|00000-0", "http://example.org/other|assess-plan" })
        {
            var none = await fhir.SearchAsync<CarePlan>([$"patient=Patient/{person}", $"category={category}"]);
            Assert.True(none.Total == 0 && none.Entry.Count == 0, $"category={category}: {none.Total}");
        }
    }

    [Fact]
    public async Task A_count_of_zero_or_summary_count_answers_the_total_and_no_entries()
    {
        var (client, person) = await Enrolled();
        var contacts = await app.Read(db => db.Contacts.CountAsync(c => c.PersonId == person));
        Assert.True(contacts > 1);
        foreach (var query in new[] { "_count=0", "_summary=count" })
        {
            var bundle = await Get(client, $"fhir/Appointment?patient=Patient/{person}&{query}");
            Assert.Equal(contacts, bundle.Total);
            Assert.Empty(bundle.Entry);
            Assert.DoesNotContain(bundle.Link, l => l.Relation == "next");
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"fhir/Appointment?patient=Patient/{person}&_summary=text")).StatusCode);
        var statement = Assert.IsType<CapabilityStatement>(FhirJson.Parse(await client.GetStringAsync("fhir/metadata")).Value);
        Assert.All(statement.Rest[0].Resource.Where(r => r.Interaction.Any(i => i.Code == CapabilityStatement.TypeRestfulInteraction.SearchType)),
            r => Assert.Contains(r.SearchParam, p => p.Name == "_summary"));
    }

    [Theory]
    [InlineData("2026", 1)]
    [InlineData("ge2026", 1)]
    [InlineData("le2026", 1)]
    [InlineData("lt2026", 0)]
    [InlineData("gt2026", 0)]
    [InlineData("ge2027", 0)]
    [InlineData("ne2025", 1)]
    [InlineData("2026-11", 1)]
    [InlineData("ge2026-11", 1)]
    [InlineData("2026-10", 0)]
    [InlineData("gt2026-10", 1)]
    [InlineData("2026-11-20", 1)]
    [InlineData("2026-11-19", 0)]
    [InlineData("le2026-11-20", 1)]
    [InlineData("2026-11-20T08:00", 1)]
    [InlineData("2026-11-20T08:00:00Z", 1)]
    [InlineData("ge2026-11-20T07:59:59Z", 1)]
    [InlineData("lt2026-11-20T08:00:00Z", 0)]
    [InlineData("2026-11-20T09:00:00+01:00", 1)]
    [InlineData("gt2026-11-20T09:00:00.5+01:00", 0)]
    public async Task Dates_are_taken_at_every_FHIR_precision_and_prefix(string date, int found)
    {
        var (client, person, _) = await Registered(AftercareApplication.Now.AddHours(-2));
        var bundle = await Get(client, $"fhir/Encounter?patient=Patient/{person}&date={Uri.EscapeDataString(date)}");
        Assert.Equal(found, bundle.Total);
        Assert.Equal(found, (await Fhir(client).SearchAsync<Encounter>([$"patient=Patient/{person}", $"date={date}"])).Total);
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-02-30")]
    [InlineData("26")]
    [InlineData("ap2026")]
    [InlineData("2026-11-20T25:00")]
    public async Task A_date_that_is_not_a_FHIR_date_is_refused_naming_the_parameter(string date)
    {
        var (client, person, _) = await Registered();
        var answer = await client.GetAsync($"fhir/Encounter?patient=Patient/{person}&date={Uri.EscapeDataString(date)}");
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("date", Assert.Single(Assert.IsType<OperationOutcome>(FhirJson.Parse(await answer.Content.ReadAsStringAsync()).Value).Issue).Expression.Single());
    }

    [Fact]
    public async Task Last_updated_finds_sites_booked_appointments_and_waiting_messages_and_is_declared_only_where_a_time_is_kept()
    {
        var (client, person) = await Enrolled();
        Assert.True(await app.Read(db => db.OutboxMessages.CountAsync(m => m.PersonId == person && m.Status == Domain.Messaging.MessageStatus.Pending)) > 0);
        Assert.True(await app.Read(db => db.Contacts.CountAsync(c => c.PersonId == person && c.Status == Domain.Programme.ContactStatus.Due)) > 0);
        var sites = await app.Read(db => db.Sites.CountAsync());
        foreach (var (path, all) in new[]
        {
            ($"fhir/Appointment?patient=Patient/{person}", await app.Read(db => db.Contacts.CountAsync(c => c.PersonId == person))),
            ($"fhir/CommunicationRequest?patient=Patient/{person}", await app.Read(db => db.OutboxMessages.CountAsync(m => m.PersonId == person))),
            ("fhir/Organization?", sites),
        })
        {
            var found = await Get(client, $"{path}&_lastUpdated=ge2000-01-01");
            Assert.True(found.Total == all, $"{path}: {found.Total} of {all}");
            Assert.All(found.Entry, e => Assert.NotNull(e.Resource.Meta.LastUpdated));
            Assert.Equal(0, (await Get(client, $"{path}&_lastUpdated=ge2100")).Total);
        }

        var today = await Get(client, $"fhir/Appointment?patient=Patient/{person}&_lastUpdated=2026-11-20");
        Assert.NotEmpty(today.Entry);

        // Staff accounts and the services directory keep no time they changed: _lastUpdated is not declared for them.
        var statement = Assert.IsType<CapabilityStatement>(FhirJson.Parse(await client.GetStringAsync("fhir/metadata")).Value);
        foreach (var type in new[] { "Practitioner", "HealthcareService" })
        {
            Assert.DoesNotContain(statement.Rest[0].Resource.Single(r => r.Type == type).SearchParam, p => p.Name == "_lastUpdated");
            using var strict = new HttpRequestMessage(HttpMethod.Get, $"fhir/{type}?_lastUpdated=ge2000");
            strict.Headers.Add("Prefer", "handling=strict");
            Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(strict)).StatusCode);
        }

        foreach (var type in new[] { "Appointment", "CommunicationRequest", "Organization", "Patient", "Encounter", "AuditEvent" })
        {
            Assert.Contains(statement.Rest[0].Resource.Single(r => r.Type == type).SearchParam, p => p.Name == "_lastUpdated");
        }
    }

    [Fact]
    public async Task An_ignored_parameter_is_left_out_of_the_links_and_refused_when_strict()
    {
        var (client, person, _) = await Registered();
        var bundle = await Get(client, $"fhir/Encounter?patient=Patient/{person}&colour=blue&_sort=-date&_offset=3");
        var self = bundle.Link.Single(l => l.Relation == "self").Url;
        Assert.DoesNotContain("colour", self, StringComparison.Ordinal);
        Assert.DoesNotContain("_offset", self, StringComparison.Ordinal);
        Assert.Contains($"patient=Patient%2F{person}", self, StringComparison.Ordinal);
        Assert.Contains("_sort=-date", self, StringComparison.Ordinal);
        Assert.Equal(1, bundle.Total);
        await FhirTests.UnknownParametersAreIgnoredUnlessStrict(client, $"fhir/Encounter?patient={person}");
    }

    [Fact]
    public async Task Walking_the_audit_by_next_links_gives_each_event_once_though_every_page_read_is_audited()
    {
        var (client, person, _) = await Registered();
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"fhir/Patient/{person}")).StatusCode);
        }

        var fhir = Fhir(await app.ClientFor(Roles.Administrator));
        var page = await fhir.SearchAsync<Hl7.Fhir.Model.AuditEvent>([$"patient=Patient/{person}", "_count=2"]);
        var total = page.Total;
        Assert.True(total >= 7, $"{total}");
        var seen = new List<string>();
        while (page is not null)
        {
            Assert.True(page.Entry.Count <= 2);
            seen.AddRange(page.Entry.Select(e => e.Resource.Id));
            page = await fhir.ContinueAsync(page);
        }

        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(total, seen.Count);

        // Each page read was audited against the person, newest first: those came after the walk began.
        var now = await fhir.SearchAsync<Hl7.Fhir.Model.AuditEvent>([$"patient=Patient/{person}", "_count=0"]);
        Assert.True(now.Total > total);
    }

    [Fact]
    public async Task Walking_encounters_by_next_links_gives_each_once_though_a_newer_one_arrives_between_pages()
    {
        var (client, person, mrn) = await Registered(AftercareApplication.Now.AddHours(-30));
        for (var hours = 28; hours >= 26; hours--)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("fhir", FhirTests.Json(FhirTests.IntakeBundle(mrn, Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-hours))))).StatusCode);
        }

        var fhir = Fhir(client);
        var page = await fhir.SearchAsync<Encounter>([$"patient=Patient/{person}", "_count=1"]);
        Assert.Equal(4, page.Total);
        var seen = new List<string>();
        var arrivals = 0;
        while (page is not null)
        {
            seen.AddRange(page.Entry.Select(e => e.Resource.Id));
            if (arrivals++ < 2)
            {
                // The ED sends a newer presentation while the client pages: it is newest, so it goes before the first page.
                Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("fhir", FhirTests.Json(FhirTests.IntakeBundle(mrn, Requests.DemoSiteCode, AftercareApplication.Now.AddHours(-arrivals))))).StatusCode);
            }

            page = await fhir.ContinueAsync(page);
        }

        Assert.Equal(4, seen.Count);
        Assert.Equal(4, seen.Distinct().Count());
        Assert.Equal(6, (await fhir.SearchAsync<Encounter>([$"patient=Patient/{person}"])).Total);
    }

    [Fact]
    public async Task Search_by_POST_with_a_form_body_finds_what_the_same_GET_finds()
    {
        var (client, person, mrn) = await Registered();
        var fhir = Fhir(client);
        var byGet = await fhir.SearchAsync<Encounter>([$"patient=Patient/{person}", "date=ge2026"]);
        var byPost = await fhir.SearchUsingPostAsync(new SearchParams().Add("patient", $"Patient/{person}").Add("date", "ge2026"), "Encounter");
        Assert.Equal(1, byPost.Total);
        Assert.Equal(byGet.Entry.Select(e => e.Resource.Id), byPost.Entry.Select(e => e.Resource.Id));

        // Parameters in the URL and the body are one search.
        var mixed = await client.PostAsync($"fhir/Patient/_search?identifier={FhirSystems.MrnSystem}|{mrn}", new FormUrlEncodedContent([new("_count", "5")]));
        Assert.Equal(HttpStatusCode.OK, mixed.StatusCode);
        Assert.Equal(person.ToString(), Assert.Single(Assert.IsType<Bundle>(FhirJson.Parse(await mixed.Content.ReadAsStringAsync()).Value).Entry).Resource.Id);

        // The audit is searched by POST too, by administrators only.
        var administrator = await app.ClientFor(Roles.Administrator);
        var audit = await administrator.PostAsync("fhir/AuditEvent/_search", new FormUrlEncodedContent([new("patient", $"Patient/{person}"), new("_count", "1")]));
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        Assert.Single(Assert.IsType<Bundle>(FhirJson.Parse(await audit.Content.ReadAsStringAsync()).Value).Entry);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("fhir/AuditEvent/_search", new FormUrlEncodedContent([]))).StatusCode);

        // A body that is not a form, and a type that is not searched, are told so as an OperationOutcome.
        var plain = await client.PostAsync("fhir/Encounter/_search", new StringContent($"patient=Patient/{person}"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.IsType<OperationOutcome>(FhirJson.Parse(await plain.Content.ReadAsStringAsync()).Value);
        var unknown = await client.PostAsync("fhir/Medication/_search", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.IsType<OperationOutcome>(FhirJson.Parse(await unknown.Content.ReadAsStringAsync()).Value);

        var statement = Assert.IsType<CapabilityStatement>(FhirJson.Parse(await client.GetStringAsync("fhir/metadata")).Value);
        Assert.Contains("_search", statement.Rest[0].Resource.Single(r => r.Type == "Encounter").Interaction.Single(i => i.Code == CapabilityStatement.TypeRestfulInteraction.SearchType).Documentation, StringComparison.Ordinal);
    }
}
