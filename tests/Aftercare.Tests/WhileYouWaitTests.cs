using System.Net;
using System.Text.RegularExpressions;
using Aftercare.Domain.Documents;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>Issue 14.4: in the emergency department, the person writes their own plan while they wait; it arrives as their draft.</summary>
public sealed partial class WhileYouWaitTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [GeneratedRegex("/while-you-wait/([A-Za-z0-9_-]+)")]
    private static partial Regex WaitLink();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_person_writes_their_plan_while_they_wait_and_it_arrives_as_their_draft_to_agree_together()
    {
        var (clinician, personId, _) = await app.Presented();
        // No plan yet: the link starts an empty draft for them to write in.
        var made = await clinician.Post($"people/{personId}/safety-plan", "while-you-wait-link", []);
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        var token = WaitLink().Match(await made.Content.ReadAsStringAsync(Ct)).Groups[1].Value;
        Assert.NotEmpty(token);

        // On their phone, no sign-in: the seven sections, each with its guidance, and nothing of the record.
        var phone = app.AnonymousClient();
        var page = WebUtility.HtmlDecode(await phone.GetStringAsync($"while-you-wait/{token}", Ct));
        Assert.Contains("Your safety plan, while you wait", page, StringComparison.Ordinal);
        foreach (var section in SafetyPlanSections.All)
        {
            Assert.Contains(section.Title(), page, StringComparison.Ordinal);
            Assert.Contains(section.Guidance(), page, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("patient", page, StringComparison.OrdinalIgnoreCase);
        var tooLong = await phone.Post($"while-you-wait/{token}", "while-you-wait", new Dictionary<string, string> { ["version"] = "1", [nameof(SafetyPlanSection.WarningSigns)] = new string('x', 4001) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.StatusCode);
        var saved = await phone.Post($"while-you-wait/{token}", "while-you-wait", new Dictionary<string, string>
        {
            ["version"] = "1",
            [nameof(SafetyPlanSection.WarningSigns)] = "I stop answering my phone and stay in bed",
            [nameof(SafetyPlanSection.ReasonsForLiving)] = "My sister and my dog, Biscuit",
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("Your clinician will see what you wrote", WebUtility.HtmlDecode(await saved.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        // Their draft, in their words, authored by them; still a draft until agreed together.
        var plan = await app.Read(db => db.SafetyPlans.Include(p => p.Revisions).SingleAsync(p => p.PersonId == personId));
        Assert.Equal(DocumentStatus.Draft, plan.Status);
        Assert.Equal("My sister and my dog, Biscuit", plan.Content.Text(SafetyPlanSection.ReasonsForLiving));
        Assert.True(SafetyPlan.IsByThePerson(plan.Revisions.OrderBy(r => r.Version).Last().SavedBy));
        var staffPage = WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}/safety-plan", Ct));
        Assert.Contains("My sister and my dog, Biscuit", staffPage, StringComparison.Ordinal);
        Assert.Contains("updated their safety plan", WebUtility.HtmlDecode(await clinician.GetStringAsync("worklist", Ct)), StringComparison.Ordinal);

        // The link is for writing only: it is not a private link to read the plan, nor a way in to /my.
        Assert.Equal(HttpStatusCode.Gone, (await phone.GetAsync($"my-plan/{token}", Ct)).StatusCode);
        Assert.DoesNotContain("Set up a passkey", await (await phone.GetAsync($"my/setup/{token}", Ct)).Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // Agreed together: the page says so, and takes no more writing.
        var agree = SafetyPlanSections.All.ToDictionary(s => s.ToString(), s => plan.Content.Text(s) is { Length: > 0 } t ? t : "Talked about it together");
        agree["version"] = plan.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        agree["action"] = "complete";
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"people/{personId}/safety-plan", "safety-plan", agree)).StatusCode);
        Assert.Contains("Your safety plan is agreed", WebUtility.HtmlDecode(await phone.GetStringAsync($"while-you-wait/{token}", Ct)), StringComparison.Ordinal);

        // An expired link shows nothing.
        app.Clock.Advance(TimeSpan.FromHours(13));
        Assert.Equal(HttpStatusCode.Gone, (await app.AnonymousClient().GetAsync($"while-you-wait/{token}", Ct)).StatusCode);
    }
}
