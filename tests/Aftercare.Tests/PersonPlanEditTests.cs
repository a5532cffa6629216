using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>Issue 14.3: the person changes their safety plan in their own words, and the care team sees it.</summary>
public sealed partial class PersonPlanEditTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [GeneratedRegex("/my-plan/[A-Za-z0-9_-]+")]
    private static partial Regex LinkPath();

    private static Dictionary<string, string> Plan(Func<SafetyPlanSection, string> words) =>
        new(SafetyPlanSections.All.ToDictionary(s => s.ToString(), words)) { ["version"] = "0", ["action"] = "complete" };

    /// <summary>A completed plan written with the clinician, and the person's private link to it.</summary>
    private async Task<(HttpClient Clinician, Guid PersonId, string Link)> PlanWithLink(Func<SafetyPlanSection, string>? words = null)
    {
        var (client, personId, _) = await app.Presented();
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", Plan(words ?? (s => $"Written together: {s}")))).StatusCode);
        var created = await client.Post($"people/{personId}/safety-plan", "create-link", []);
        var link = LinkPath().Match(await created.Content.ReadAsStringAsync()).Value.TrimStart('/');
        Assert.NotEmpty(link);
        return (client, personId, link);
    }

    private static Dictionary<string, string> Change(int version, Dictionary<SafetyPlanSection, string> changed) =>
        new(SafetyPlanSections.All.Where(changed.ContainsKey).ToDictionary(s => s.ToString(), s => changed[s])) { ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private Task<List<Aftercare.Domain.Documents.Revision<SafetyPlanContent>>> Revisions(Guid personId) =>
        app.Read(db => db.SafetyPlans.Where(p => p.PersonId == personId).SelectMany(p => p.Revisions).OrderBy(r => r.Version).ToListAsync());

    [Fact]
    public async Task The_person_changes_their_plan_in_their_own_words_as_a_new_revision_and_the_care_team_sees_it_compares_it_and_talks_it_through()
    {
        var (clinician, personId, link) = await PlanWithLink();
        var person = app.AnonymousClient();
        var page = WebUtility.HtmlDecode(await person.GetStringAsync(link));
        Assert.Contains("Change my plan", page, StringComparison.Ordinal);
        Assert.Contains("Last brought up to date:", page, StringComparison.Ordinal);
        Assert.Contains(SafetyPlanSection.PeopleICanAsk.Guidance(), page, StringComparison.Ordinal);
        Assert.Contains($"<link rel=\"manifest\" href=\"/{link}/manifest.webmanifest\"", page, StringComparison.Ordinal);

        // Their words, whatever they are: the language rules are for what the software says, not for their account of themselves.
        const string Theirs = "When I feel like a failed attempt at a person, worthless, and people call me attention seeking";
        var posted = await person.Post(link, "change-my-plan", Change(1, new() { [SafetyPlanSection.WarningSigns] = Theirs }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.EndsWith($"/{link}?changed=2#changed", posted.Headers.Location!.ToString(), StringComparison.Ordinal);
        var after = WebUtility.HtmlDecode(await person.GetStringAsync($"{link}?changed=2"));
        Assert.Contains("Your change is saved", after, StringComparison.Ordinal);
        Assert.Contains("You changed this on", after, StringComparison.Ordinal);
        Assert.Contains(Theirs, after, StringComparison.Ordinal);

        // A new revision authored by them, on top; the clinician's version is kept as it was.
        var revisions = await Revisions(personId);
        Assert.Equal([1, 2], revisions.Select(r => r.Version));
        Assert.Equal("Written together: WarningSigns", revisions[0].Content.Text(SafetyPlanSection.WarningSigns));
        Assert.NotEqual(SafetyPlan.ByThePerson, revisions[0].SavedBy);
        Assert.Equal(SafetyPlan.ByThePerson, revisions[1].SavedBy);
        Assert.Equal(Theirs, revisions[1].Content.Text(SafetyPlanSection.WarningSigns));
        Assert.Equal("Written together: ReasonsForLiving", revisions[1].Content.Text(SafetyPlanSection.ReasonsForLiving));
        Assert.True(await app.Read(db => db.AuditEvents.AnyAsync(e => e.PersonId == personId && e.Action == AuditAction.SafetyPlanChangedByThePerson && e.Actor == "(the person, by private link)")));

        // The care team: on the record, on the plan (history by the person's name), on the worklist, and the comparison.
        var record = WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}"));
        Assert.Contains("Robin updated their safety plan", record, StringComparison.Ordinal);
        var planPage = WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}/safety-plan"));
        Assert.Contains("Robin updated their safety plan", planPage, StringComparison.Ordinal);
        Assert.Contains("<td>Robin, in their own words</td>", planPage, StringComparison.Ordinal);
        var worklist = WebUtility.HtmlDecode(await clinician.GetStringAsync("worklist"));
        Assert.Contains($"href=\"/people/{personId}/safety-plan#their-changes\"", worklist, StringComparison.Ordinal);
        var compare = WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}/safety-plan/compare?left=1&right=2"));
        Assert.Contains($"<strong>Added:</strong> {Theirs}", compare, StringComparison.Ordinal);
        Assert.Contains("<strong>Removed:</strong> Written together: WarningSigns", compare, StringComparison.Ordinal);
        Assert.Contains("<span class=\"tag\">changed</span>", compare, StringComparison.Ordinal);

        // FHIR: the person's revision has them as its author; the clinician's has not.
        var planId = await app.Read(db => db.SafetyPlans.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        var v2 = await clinician.GetFromJsonAsync<JsonElement>($"fhir/CarePlan/{planId}/_history/2");
        Assert.Equal($"Patient/{personId}", v2.GetProperty("author").GetProperty("reference").GetString());
        var v1 = await clinician.GetFromJsonAsync<JsonElement>($"fhir/CarePlan/{planId}/_history/1");
        Assert.False(v1.TryGetProperty("author", out _));

        // Talked through: off the worklist and the record's notice, audited; the plan page says when and by whom.
        var changeId = await app.Read(db => db.PersonPlanChanges.Where(c => c.PersonId == personId).Select(c => c.Id).SingleAsync());
        var talked = await clinician.Post($"people/{personId}/safety-plan", $"talked-through-{changeId}", new Dictionary<string, string> { ["changeId"] = changeId.ToString() });
        Assert.Equal(HttpStatusCode.OK, talked.StatusCode);
        Assert.Contains("Talked through", WebUtility.HtmlDecode(await talked.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain($"/people/{personId}/safety-plan#their-changes", await clinician.GetStringAsync("worklist"), StringComparison.Ordinal);
        Assert.DoesNotContain("Robin updated their safety plan", WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}")), StringComparison.Ordinal);
        Assert.True(await app.Read(db => db.AuditEvents.AnyAsync(e => e.PersonId == personId && e.Action == AuditAction.SafetyPlanChangeTalkedThrough)));
    }

    [Fact]
    public async Task A_clinician_edit_and_a_person_edit_at_the_same_time_are_both_kept_neither_lost_and_both_told()
    {
        var (clinician, personId, link) = await PlanWithLink();
        var person = app.AnonymousClient();
        // The person's phone shows version 1; meanwhile the clinician saves version 2.
        Assert.Contains("name=\"version\" value=\"1\"", await person.GetStringAsync(link), StringComparison.Ordinal);
        var team = Plan(s => s switch
        {
            SafetyPlanSection.WarningSigns => "The team's warning signs",
            SafetyPlanSection.Professionals => "Crisis team on 0117 496 0000",
            _ => $"Written together: {s}",
        });
        team["version"] = "1";
        team["amendmentReason"] = "Added the crisis team at the review";
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}/safety-plan", "safety-plan", team)).StatusCode);

        // The person's change, based on version 1, sent from their phone when it is back online.
        var sent = await person.PostAsJsonAsync($"{link}/changes", new
        {
            version = 1,
            sections = new Dictionary<string, string> { ["WarningSigns"] = "My own warning signs", ["ReasonsForLiving"] = "My dog, Pip" },
        });
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var answer = await sent.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, answer.GetProperty("version").GetInt32());
        Assert.True(answer.GetProperty("teamChangedInBetween").GetBoolean());

        // Both kept: their words on top where they wrote, the team's where they did not; the team's version 2 whole in the history.
        var revisions = await Revisions(personId);
        Assert.Equal([1, 2, 3], revisions.Select(r => r.Version));
        Assert.Equal("The team's warning signs", revisions[1].Content.Text(SafetyPlanSection.WarningSigns));
        var top = revisions[2].Content;
        Assert.Equal("My own warning signs", top.Text(SafetyPlanSection.WarningSigns));
        Assert.Equal("My dog, Pip", top.Text(SafetyPlanSection.ReasonsForLiving));
        Assert.Equal("Crisis team on 0117 496 0000", top.Text(SafetyPlanSection.Professionals));

        // The person is told, section by section: the team's change and theirs.
        var told = WebUtility.HtmlDecode(await person.GetStringAsync($"{link}?changed=3"));
        Assert.Contains("Your care team had also changed your plan since you last opened it. Both are kept", told, StringComparison.Ordinal);
        var table = told[told.IndexOf("What changed in your plan", StringComparison.Ordinal)..told.IndexOf("</table>", StringComparison.Ordinal)];
        Assert.Contains("The team's warning signs", table, StringComparison.Ordinal);
        Assert.Contains("My own warning signs", table, StringComparison.Ordinal);
        Assert.Contains("Crisis team on 0117 496 0000", table, StringComparison.Ordinal);
        Assert.Contains("My dog, Pip", table, StringComparison.Ordinal);

        // The care team is told: made from version 1, with the team's version in between.
        var planPage = WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}/safety-plan"));
        Assert.Contains("Robin updated their safety plan", planPage, StringComparison.Ordinal);
        Assert.Contains("made from version 1; the care team's changes in between are kept", planPage, StringComparison.Ordinal);
        Assert.Contains($"/people/{personId}/safety-plan/compare?left=1&amp;right=3", await clinician.GetStringAsync($"people/{personId}/safety-plan"), StringComparison.Ordinal);

        // And a clinician still saving over version 2 is refused with both versions shown, never overwriting the person's.
        team["version"] = "2";
        var stale = await clinician.Post($"people/{personId}/safety-plan", "safety-plan", team);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("Someone else saved this first", WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(3, (await Revisions(personId)).Count);
    }

    [Fact]
    public async Task Another_persons_plan_is_never_reachable_and_a_withdrawn_link_changes_nothing()
    {
        var (_, mine, myLink) = await PlanWithLink(s => $"Mine: {s}");
        var (clinician, theirs, theirLink) = await PlanWithLink(s => $"Theirs: {s}");
        var person = app.AnonymousClient();

        // My link shows my plan only, and a change through it lands in my plan only.
        var page = await person.GetStringAsync(myLink);
        Assert.DoesNotContain("Theirs:", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await person.PostAsJsonAsync($"{myLink}/changes", new { version = 1, sections = new Dictionary<string, string> { ["WarningSigns"] = "Changed by me" } })).StatusCode);
        Assert.Equal(2, (await Revisions(mine)).Count);
        Assert.Single(await Revisions(theirs));

        // A forged or withdrawn link: the same "not available" answer, and nothing changed.
        var forged = await person.PostAsJsonAsync("my-plan/forged-token-that-was-never-issued/changes", new { version = 1, sections = new Dictionary<string, string> { ["WarningSigns"] = "x" } });
        Assert.Equal(HttpStatusCode.Gone, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await person.GetAsync("my-plan/forged-token-that-was-never-issued/manifest.webmanifest")).StatusCode);
        var linkId = await app.Read(db => db.SafetyPlanLinks.Where(l => l.PersonId == theirs).Select(l => l.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.OK, (await clinician.Post($"people/{theirs}/safety-plan", $"revoke-{linkId}", new Dictionary<string, string> { ["linkId"] = linkId.ToString() })).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await person.PostAsJsonAsync($"{theirLink}/changes", new { version = 1, sections = new Dictionary<string, string> { ["WarningSigns"] = "x" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await person.GetAsync(theirLink)).StatusCode);
        Assert.Single(await Revisions(theirs));

        // An unknown section is refused plainly; a change that changes nothing says so; neither makes a revision.
        var unknown = await person.PostAsJsonAsync($"{myLink}/changes", new { version = 2, sections = new Dictionary<string, string> { ["Diagnosis"] = "x" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        var same = await person.Post(myLink, "change-my-plan", Change(2, new() { [SafetyPlanSection.WarningSigns] = "Changed by me" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, same.StatusCode);
        Assert.Contains("Nothing has changed yet", WebUtility.HtmlDecode(await same.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(2, (await Revisions(mine)).Count);
    }

    [Fact]
    public async Task The_plan_page_can_be_added_to_the_home_screen_and_its_service_worker_keeps_only_the_persons_pages()
    {
        var (_, _, link) = await PlanWithLink();
        var person = app.AnonymousClient();
        var manifest = await person.GetFromJsonAsync<JsonElement>($"{link}/manifest.webmanifest");
        Assert.Equal($"/{link}", manifest.GetProperty("start_url").GetString());
        Assert.Equal("standalone", manifest.GetProperty("display").GetString());
        Assert.Equal("/my-plan/", manifest.GetProperty("scope").GetString());
        foreach (var icon in manifest.GetProperty("icons").EnumerateArray())
        {
            var png = await person.GetAsync(icon.GetProperty("src").GetString()!.TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, png.StatusCode);
            Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        }

        var worker = await person.GetAsync("my-plan/sw.js");
        Assert.Equal(HttpStatusCode.OK, worker.StatusCode);
        var script = await worker.Content.ReadAsStringAsync();
        Assert.Contains("Written by hand", script, StringComparison.Ordinal);
        Assert.Contains("/^\\/my-plan\\/[A-Za-z0-9_-]+$/", script, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await person.GetAsync("assets/my-plan.js")).StatusCode);
    }
}
