using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App.Data;
using Aftercare.App.Feedback;
using Aftercare.Domain.Feedback;
using Aftercare.Domain.Users;
using Aftercare.Tests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.Browser.Tests;

/// <summary>docs/domain.md rule 14 as the person lives it: a feedback link on their phone, answered anonymously.</summary>
public sealed class FeedbackFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [Fact]
    public async Task The_person_answers_the_feedback_form_from_their_link_without_signing_in_and_the_link_then_closes()
    {
        var page = await session.NewPage();
        var app = session.App;
        var clinician = await app.ClientFor(Roles.Clinician);
        var at = app.Clock.GetUtcNow().AddHours(-6);
        var registered = await clinician.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), at, newPerson: Requests.NewPerson(Requests.NewMrn()), assessedAt: at.AddHours(1)));
        var personId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var presentationId = await db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync();
        var link = await CreateFeedbackLink.Handle(db, app.Clock, App.Actor.System, FeedbackAbout.Assessment, presentationId, null, app.BaseAddress.ToString(), TimeSpan.FromDays(30), default);

        await page.GotoAsync($"/feedback/{link.Value.Token}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "How was your care?", Level = 1 })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await page.GetByRole(AriaRole.Group, new() { Name = "I felt listened to" }).GetByLabel("Agree", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "I was treated with respect" }).GetByLabel("Strongly agree").CheckAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "I was involved in decisions about my care" }).GetByLabel("Neither agree nor disagree").CheckAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "How long did you wait?" }).GetByLabel("1 to 4 hours").CheckAsync();
        await page.GetByLabel("Anything else you would like to tell us").FillAsync("The wait was long, but the nurse listened.");
        await Assertions.Expect(page.GetByLabel("Send my answers anonymously")).ToBeCheckedAsync();
        await BrowserSession.Screenshot(page, "feedback-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send my answers" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank you", Level = 1 })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        Assert.Empty(await db.FeedbackResponses.Where(r => r.PersonId == personId).ToListAsync());

        var again = await page.GotoAsync($"/feedback/{link.Value.Token}");
        Assert.Equal(410, again!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This link is not available" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
    }
}
