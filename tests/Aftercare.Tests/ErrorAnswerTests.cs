using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 12.4 at the page and JSON edges: an error's kind decides the answer, the same way on every page and
/// endpoint (a stale edit 409, a refusal by a rule 422, something not there 404 ProblemDetails).
/// </summary>
public sealed class ErrorAnswerTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [Fact]
    public async Task A_handoff_updated_from_an_old_version_answers_409_and_says_someone_updated_it()
    {
        var (client, personId, _) = await app.Presented();
        var service = await app.Read(db => db.Services.Select(s => s.Id).FirstAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}", "refer", new Dictionary<string, string>
        {
            ["serviceId"] = service.ToString(), ["preference"] = "NonClinical", ["reason"] = "Would like to meet others who have been through it",
        })).StatusCode);
        var referral = await app.Read(db => db.Referrals.Where(r => r.PersonId == personId).Select(r => r.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"referrals/{referral}", "move", new Dictionary<string, string> { ["version"] = "0", ["status"] = "Accepted" })).StatusCode);

        var stale = await client.Post($"referrals/{referral}", "move", new Dictionary<string, string> { ["version"] = "0", ["status"] = "Declined" });

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("Someone updated this handoff while you had it open", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_safety_plan_saved_from_an_old_version_answers_409()
    {
        var (client, personId, _) = await app.Presented();
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, "First"))).StatusCode);

        var stale = await client.Post($"people/{personId}/safety-plan", "safety-plan", PlansTests.SafetyPlan(0, "Second"));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("Someone else saved this", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_care_plan_saved_from_an_old_version_answers_409()
    {
        var (client, personId, presentationId) = await app.Presented();
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"presentations/{presentationId}/assessment", "assessment", PlansTests.Assessment(0, "complete"))).StatusCode);
        KeyValuePair<string, string>[] Draft(string goals) =>
            [new("version", "0"), new("action", "draft"), new("longTermGoals", goals), new("goal-0-goal", "Sleep"), new("goal-0-steps", "Steps"), new("aims", "PreventEscalation")];
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/care-plan", "care-plan", Draft("Back to college"))).StatusCode);

        var stale = await client.Post($"people/{personId}/care-plan", "care-plan", Draft("Back to work"));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("Someone else saved this", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_assessment_saved_from_an_old_version_answers_409()
    {
        var (client, _, presentationId) = await app.Presented();
        var page = $"presentations/{presentationId}/assessment";
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post(page, "assessment", PlansTests.Assessment(0, "draft", account: "First words"))).StatusCode);

        var stale = await client.Post(page, "assessment", PlansTests.Assessment(0, "draft", account: "Second words"));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("Someone else saved this", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_API_asked_for_an_unknown_person_answers_404_problem_details()
    {
        var client = await app.ClientFor(Roles.Clinician);

        var response = await client.GetAsync($"api/people/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task A_try_refused_by_the_retry_rule_answers_422_with_the_reason()
    {
        var (_, contact) = await app.FirstContactDue();
        var worker = await app.ClientFor(Roles.AftercareWorker);
        Dictionary<string, string> NotReached(string version, string at) => new() { ["version"] = version, ["at"] = at, ["channel"] = "Phone", ["outcome"] = "NotReached" };
        Assert.Equal(HttpStatusCode.Redirect, (await worker.Post($"contacts/{contact}", "contact", NotReached("0", "2026-11-20T09:58"))).StatusCode);

        // A second try a minute later, with no reason why so soon: the rule refuses it.
        var refused = await worker.Post($"contacts/{contact}", "contact", NotReached("1", "2026-11-20T09:59"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("This try is within 15 minutes of the last one", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
