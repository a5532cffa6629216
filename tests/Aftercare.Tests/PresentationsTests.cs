using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Domain.Users;

namespace Aftercare.Tests;

/// <summary>Registering presentations and reading the timeline, through the real HTTP pipeline.</summary>
public sealed class PresentationsTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private static readonly DateTimeOffset Arrived = AftercareApplication.Now.AddHours(-6);

    [Fact]
    public async Task A_clinician_registers_a_presentation_for_a_new_person_and_a_return_reads_as_coming_back_for_help()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var site = await app.SiteId();
        var mrn = Requests.NewMrn();

        var first = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(site, Arrived.AddDays(-40), newPerson: Requests.NewPerson(mrn), assessedAt: Arrived.AddDays(-40).AddHours(3)));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var registered = await first.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var personId = registered.GetProperty("personId").GetGuid();

        // The second time, the clinician finds the person by identifier, then registers for them.
        var found = await client.PostAsJsonAsync("api/people/search", new { identifierKind = "Mrn", identifier = mrn.ToLowerInvariant() });
        var matches = await found.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(personId, matches.EnumerateArray().Single().GetProperty("id").GetGuid());
        var second = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(site, Arrived, personId: personId));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);

        var record = await client.GetFromJsonAsync<JsonElement>($"api/people/{personId}", TestContext.Current.CancellationToken);
        Assert.Equal("2 presentations in the last 12 months", record.GetProperty("summary").GetString());
        var timeline = record.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal("Came back for help (2nd presentation)", timeline[0].GetProperty("heading").GetString());
        Assert.Equal("First presentation recorded here", timeline[1].GetProperty("heading").GetString());

        // The page says the same.
        var page = await client.GetStringAsync($"people/{personId}", TestContext.Current.CancellationToken);
        Assert.Contains("2 presentations in the last 12 months", page, StringComparison.Ordinal);
        Assert.Contains("Came back for help (2nd presentation)", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_and_invalid_fields_are_named_and_nothing_is_saved()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var (people, presentations, audit) = (await app.PeopleCount(), await app.PresentationCount(), await app.AuditCount());

        var response = await client.PostAsJsonAsync("api/presentations", new
        {
            newPerson = new { givenName = "", familyName = "Fictional", dateOfBirth = "2031-01-01", sex = "Female", preferredChannel = "Email", priorPsychiatricHistory = "Unknown", nhsNumber = "9990001236" },
            arrivedAt = AftercareApplication.Now.AddHours(2),
            siteId = Guid.NewGuid(),
            methods = Array.Empty<string>(),
            alcoholInvolved = "Unknown",
            medicalTreatmentNeeded = "Unknown",
            disposition = "Discharged",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var errors = problem.GetProperty("errors");
        Assert.Contains("given name", errors.GetProperty("givenName")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("in the future", errors.GetProperty("dateOfBirth")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("email", errors.GetProperty("email")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("check digit", errors.GetProperty("nhsNumber")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("in the future", errors.GetProperty("arrivedAt")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("site", errors.GetProperty("siteId")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("at least one method", errors.GetProperty("methods")[0].GetString(), StringComparison.Ordinal);

        Assert.Equal(people, await app.PeopleCount());
        Assert.Equal(presentations, await app.PresentationCount());
        Assert.Equal(audit, await app.AuditCount());
    }

    [Fact]
    public async Task An_identifier_that_already_exists_is_never_a_silent_twin()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var site = await app.SiteId();
        var mrn = Requests.NewMrn();
        var first = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(site, Arrived.AddDays(-3), newPerson: Requests.NewPerson(mrn, "Sam", "Example")));
        var personId = (await first.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("personId").GetGuid();
        var people = await app.PeopleCount();

        // Someone types the same MRN as a "new" person, with another spelling of the name.
        var twin = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(site, Arrived, newPerson: Requests.NewPerson(mrn, "Samuel", "Example")));

        Assert.Equal(HttpStatusCode.Conflict, twin.StatusCode);
        var problem = await twin.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(personId, problem.GetProperty("existingPersonId").GetGuid());
        Assert.Contains("Sam Example", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(people, await app.PeopleCount());

        // After confirming it is the same person, the presentation is theirs.
        var confirmed = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(site, Arrived, personId: personId));
        Assert.Equal(HttpStatusCode.Created, confirmed.StatusCode);
        Assert.Equal(people, await app.PeopleCount());
    }

    [Fact]
    public async Task Roles_without_direct_care_cannot_register_or_read_a_record_and_strangers_are_refused()
    {
        var site = await app.SiteId();
        var manager = await app.ClientFor(Roles.ServiceManager);
        var registered = await manager.PostAsJsonAsync("api/presentations", Requests.Presentation(site, Arrived, newPerson: Requests.NewPerson(Requests.NewMrn())));
        Assert.Equal(HttpStatusCode.Forbidden, registered.StatusCode);
        var someone = await app.Read(db => Task.FromResult(db.People.OrderBy(p => p.Id).Select(p => p.Id).First()));
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync($"api/people/{someone}")).StatusCode);

        var stranger = app.AnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync($"api/people/{someone}")).StatusCode);
        var page = await stranger.GetAsync($"people/{someone}");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Searching_for_nothing_is_refused_with_a_reason()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/people/search", new { identifierKind = "Mrn" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Enter an identifier", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
