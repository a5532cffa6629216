using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Users;

namespace Aftercare.Tests;

/// <summary>docs/domain.md rule 7: the person's private link to their own plan.</summary>
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

    private static Dictionary<string, string> Plan(string action, Func<SafetyPlanSection, string> words) =>
        new(SafetyPlanSections.All.ToDictionary(s => s.ToString(), words)) { ["version"] = "0", ["action"] = action };

    [Fact]
    public async Task A_draft_safety_plan_cannot_be_sent_to_the_phone()
    {
        var (client, personId, _) = await app.Presented();
        var draft = Plan("draft", s => s == SafetyPlanSection.WarningSigns ? "Not sleeping" : "");
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", draft)).StatusCode);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"people/{personId}/safety-plan"));
        Assert.DoesNotContain("Create a private link for their phone", page, StringComparison.Ordinal);
        Assert.Contains("once you save it as the person's plan", page, StringComparison.Ordinal);

        // Posted by hand, there is no such form on the page; and the use case itself refuses a draft with the reason.
        var posted = await client.Post($"people/{personId}/safety-plan", "create-link", []);
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.DoesNotContain("/my-plan/", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var refused = await app.Read(db => Aftercare.App.Plans.CreateSafetyPlanLink.Handle(
            db, app.Clock, new Aftercare.App.Actor("", "clinician@demo.aftercare.example", [Roles.Clinician]), personId, TimeSpan.FromDays(90), default));
        Assert.False(refused.IsSuccess);
        Assert.Contains("This safety plan is still a draft", refused.Errors.Single().Message, StringComparison.Ordinal);
        Assert.False(await app.Read(db => db.SafetyPlanLinks.AnyAsync(l => l.PersonId == personId)));
    }

    [Fact]
    public async Task On_the_persons_copy_the_text_line_opens_a_message_and_numbers_they_wrote_can_be_tapped()
    {
        var (client, personId, _) = await app.Presented();
        var plan = Plan("complete", s => s switch
        {
            SafetyPlanSection.PeopleICanAsk => "My sister Jo on 07700 900123, or <b>Sam</b> +44 7700 900456",
            SafetyPlanSection.Professionals => "Crisis team 0117 496 0000 (evenings)",
            _ => "My words",
        });
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", plan)).StatusCode);
        var created = await client.Post($"people/{personId}/safety-plan", "create-link", []);
        var link = System.Text.RegularExpressions.Regex.Match(await created.Content.ReadAsStringAsync(), "/my-plan/([A-Za-z0-9_-]+)").Value;
        Assert.NotEmpty(link);

        var html = await app.AnonymousClient().GetStringAsync(link.TrimStart('/'));
        // What they wrote is still text, never markup.
        Assert.Contains("&lt;b&gt;Sam&lt;/b&gt;", html, StringComparison.Ordinal);
        var mine = WebUtility.HtmlDecode(html);
        Assert.Contains("<a href=\"sms:85258?&body=SHOUT\">text SHOUT to 85258</a>", mine, StringComparison.Ordinal);
        Assert.DoesNotContain("tel:85258", mine, StringComparison.Ordinal);
        Assert.Contains("<a href=\"tel:116123\">116 123</a>", mine, StringComparison.Ordinal);
        Assert.Contains("My sister Jo on <a href=\"tel:07700900123\">07700 900123</a>", mine, StringComparison.Ordinal);
        Assert.Contains("<a href=\"tel:+447700900456\">+44 7700 900456</a>", mine, StringComparison.Ordinal);
        Assert.Contains("<a href=\"tel:01174960000\">0117 496 0000</a> (evenings)", mine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_private_link_is_shown_with_a_QR_code_or_sent_by_text_or_email_as_the_feedback_link_is()
    {
        var (client, personId, _) = await app.Presented();
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", Plan("complete", _ => "My words"))).StatusCode);

        // Shown by hand: the link, and a QR code their phone's camera opens.
        var page = await client.GetStringAsync($"people/{personId}/safety-plan");
        Assert.Contains("How to give it", page, StringComparison.Ordinal);
        var shown = WebUtility.HtmlDecode(await (await client.Post($"people/{personId}/safety-plan", "create-link", new Dictionary<string, string> { ["how"] = "Show" })).Content.ReadAsStringAsync());
        Assert.Matches("value=\"http://[^\"]+/my-plan/[A-Za-z0-9_-]{40,}\"", shown);
        Assert.Matches("<img class=\"qr\" src=\"data:image/png;base64,[A-Za-z0-9+/=]{100,}\" alt=\"QR code of the private link\"", shown);

        // By text: queued through the outbox with the link, and the link opens the plan.
        var texted = WebUtility.HtmlDecode(await (await client.Post($"people/{personId}/safety-plan", "create-link", new Dictionary<string, string> { ["how"] = "Sms" })).Content.ReadAsStringAsync());
        Assert.Contains("A private link to the safety plan is queued to Robin by text message.", texted, StringComparison.Ordinal);
        Assert.DoesNotContain("/my-plan/", texted, StringComparison.Ordinal);
        var message = await app.Read(db => db.OutboxMessages.SingleAsync(m => m.PersonId == personId && m.Kind == Aftercare.Domain.Messaging.MessageKind.SafetyPlanLink));
        Assert.Equal(("07700 900123", Aftercare.Domain.Messaging.MessageChannel.Sms), (message.To, message.Channel));
        var sentLink = System.Text.RegularExpressions.Regex.Match(message.Body, "/my-plan/[A-Za-z0-9_-]+").Value;
        Assert.Contains("My words", await app.AnonymousClient().GetStringAsync(sentLink.TrimStart('/')), StringComparison.Ordinal);

        // By email, to someone with no email address: refused beside the choice, and no link is made.
        var links = await app.Read(db => db.SafetyPlanLinks.CountAsync(l => l.PersonId == personId));
        var refused = await client.Post($"people/{personId}/safety-plan", "create-link", new Dictionary<string, string> { ["how"] = "Email" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Contains("The person has no email address", html, StringComparison.Ordinal);
        Assert.Matches("href=\"[^\"]*#how\"", html);
        Assert.Equal(links, await app.Read(db => db.SafetyPlanLinks.CountAsync(l => l.PersonId == personId)));
    }

    [Fact]
    public async Task On_a_phone_the_help_now_block_comes_before_the_plan_with_the_people_they_can_ask_and_their_team()
    {
        var (client, personId, _) = await app.Presented();
        var plan = Plan("complete", s => s switch
        {
            SafetyPlanSection.PeopleICanAsk => "My sister Jo on 07700 900123",
            SafetyPlanSection.WarningSigns => "Not sleeping",
            _ => "My words",
        });
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", plan)).StatusCode);
        var created = await client.Post($"people/{personId}/safety-plan", "create-link", []);
        var link = System.Text.RegularExpressions.Regex.Match(await created.Content.ReadAsStringAsync(), "/my-plan/([A-Za-z0-9_-]+)").Value;

        var mine = WebUtility.HtmlDecode(await app.AnonymousClient().GetStringAsync(link.TrimStart('/')));
        var help = mine.IndexOf("If you need help now", StringComparison.Ordinal);
        Assert.True(help > 0 && help < mine.IndexOf("1. My warning signs", StringComparison.Ordinal), "the help block comes before the plan");
        var block = mine[help..mine.IndexOf("1. My warning signs", StringComparison.Ordinal)];
        Assert.Contains("<a href=\"tel:116123\">116 123</a>", block, StringComparison.Ordinal);
        Assert.Contains("<a href=\"sms:85258?&body=SHOUT\">text SHOUT to 85258</a>", block, StringComparison.Ordinal);
        Assert.Contains("My sister Jo on <a href=\"tel:07700900123\">07700 900123</a>", block, StringComparison.Ordinal);
        var team = Aftercare.App.Demo.DemoData.Sites[0];
        Assert.Contains(team.Name, block, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{team.Tel}\">{team.Phone}</a>", block, StringComparison.Ordinal);
    }
}
