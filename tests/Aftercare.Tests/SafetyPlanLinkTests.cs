using System.Net;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Users;

namespace Aftercare.Tests;

/// <summary>DOMAIN.md rule 7: the person's private link to their own plan.</summary>
public sealed class SafetyPlanLinkTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [Fact]
    public async Task A_private_link_shows_the_plan_without_sign_in_and_nothing_once_expired_or_forged()
    {
        var client = await app.ClientFor(Roles.AftercareWorker);
        var personId = await app.Read(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(db.People.OrderBy(p => p.Id).Select(p => p.Id)));
        var plan = new Dictionary<string, string>(SafetyPlanSections.All.ToDictionary(s => s.ToString(), s => s == SafetyPlanSection.WarningSigns ? "Not sleeping" : "My words")) { ["version"] = "0", ["action"] = "complete" };
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", plan)).StatusCode);
        var created = await client.Post($"people/{personId}/safety-plan", "create-link", []);
        var html = await created.Content.ReadAsStringAsync();
        var link = System.Text.RegularExpressions.Regex.Match(html, "/my-plan/([A-Za-z0-9_-]+)").Value;
        Assert.NotEmpty(link);

        var stranger = app.AnonymousClient();
        var opened = await stranger.GetAsync(link.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Contains("Not sleeping", await opened.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, (await stranger.GetAsync("my-plan/forged-token-that-was-never-issued")).StatusCode);

        // This class has its own application, so moving its clock on disturbs no other test.
        app.Clock.Advance(TimeSpan.FromDays(91));
        var expired = await stranger.GetAsync(link.TrimStart('/'));
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.DoesNotContain("Not sleeping", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
