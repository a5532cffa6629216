using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 11.1: every link in an error summary stays on the page it is on (the layout's
/// &lt;base href="/"&gt; sent a bare "#field" to the home page) and lands on an element that exists.
/// </summary>
public sealed partial class ErrorSummaryTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [GeneratedRegex("<div class=\"error-summary\".*?</div>", RegexOptions.Singleline)]
    private static partial Regex Summary();

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex Href();

    private static async Task LinksStayOnThePageAndFindTheirField(HttpResponseMessage response, string page)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var summary = Summary().Match(html);
        Assert.True(summary.Success, $"{page}: no error summary");
        var links = Href().Matches(summary.Value).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.NotEmpty(links);
        foreach (var link in links)
        {
            Assert.StartsWith($"/{page}#", link, StringComparison.Ordinal);
            var id = Uri.UnescapeDataString(link[(link.IndexOf('#', StringComparison.Ordinal) + 1)..]);
            Assert.True(html.Contains($"id=\"{id}\"", StringComparison.Ordinal), $"{page}: the error link {link} has no element with id {id}");
            // The element it lands on is the one with the problem: its own message is beside it (not another form's field of the same name).
            Assert.True(html.Contains($"id=\"{id}-error\"", StringComparison.Ordinal), $"{page}: the error link {link} lands on a field that shows no error");
        }
    }

    [Fact]
    public async Task Error_links_on_the_person_page_contact_and_safety_plan_stay_on_the_page_and_find_their_field()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-8), newPerson: Requests.NewPerson(Requests.NewMrn(), dob: "1988-02-11")));
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentationId = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string> { ["dischargedAt"] = "2026-11-20T08:00", ["pathwayId"] = "first-contact", ["preference"] = "NoPreference" });
        var episodeId = await app.Read(db => db.Episodes.Where(e => e.PersonId == personId).Select(e => e.Id).SingleAsync());
        var contactId = await app.Read(db => db.Contacts.Where(c => c.PersonId == personId && c.Kind == ContactKind.FirstContact).Select(c => c.Id).SingleAsync());

        var person = $"people/{personId}";
        await LinksStayOnThePageAndFindTheirField(await client.Post(person, "therapy", []), person);
        await LinksStayOnThePageAndFindTheirField(await client.Post(person, "medication", []), person);
        await LinksStayOnThePageAndFindTheirField(await client.Post(person, $"close-{episodeId}", new Dictionary<string, string> { ["episodeId"] = episodeId.ToString(), ["reason"] = "" }), person);
        await LinksStayOnThePageAndFindTheirField(await client.Post($"contacts/{contactId}", "contact",
            new Dictionary<string, string> { ["version"] = "0", ["at"] = "2026-11-20T09:30", ["channel"] = "Phone", ["outcome"] = "Reached" }), $"contacts/{contactId}");
        await LinksStayOnThePageAndFindTheirField(await client.Post($"{person}/safety-plan", "safety-plan",
            new Dictionary<string, string> { ["version"] = "0", ["action"] = "complete" }), $"{person}/safety-plan");
        await LinksStayOnThePageAndFindTheirField(await client.Post($"presentations/{presentationId}/assessment", "assessment",
            new Dictionary<string, string> { ["version"] = "0", ["action"] = "complete" }), $"presentations/{presentationId}/assessment");
    }
}
