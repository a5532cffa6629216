using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.Domain.Users;
using Aftercare.Tests;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Browser.Tests;

/// <summary>
/// Issue 13: a presentation recorded by mistake is withdrawn from the person's record by a
/// clinician of the team, with a reason and a confirmation: it stays on the timeline, marked,
/// and is no longer counted. On a phone, by keyboard as well as by pointer.
/// </summary>
public sealed class EnteredInErrorFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private async Task<Guid> NewPerson()
    {
        var client = await session.App.ClientFor(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(await session.App.SiteId(),
            session.App.Clock.GetUtcNow().AddHours(-3), newPerson: Requests.NewPerson(Requests.NewMrn(), "Robin", "Mistaken")));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
    }

    [Fact]
    public async Task A_clinician_withdraws_a_presentation_entered_in_error_with_a_reason_and_it_stays_marked_and_uncounted()
    {
        var person = await NewPerson();
        var page = await session.NewPage();
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.User(Roles.Clinician));
        await page.GotoAsync($"/people/{person}");
        await Assertions.Expect(page.GetByText("1 presentation in the last 12 months")).ToBeVisibleAsync();

        // Neither a reason nor the confirmation: both asked for, nothing changed.
        await page.Locator("summary", new() { HasText = "This presentation was entered in error" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Withdraw this presentation" }).ClickAsync();
        var summary = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "There is a problem" });
        await Assertions.Expect(summary).ToContainTextAsync("Say why this presentation was entered in error.");
        await Assertions.Expect(summary).ToContainTextAsync("Confirm that this presentation was entered in error.");
        Assert.Null(await session.App.Read(db => db.Presentations.Where(p => p.PersonId == person).Select(p => p.EnteredInErrorAt).SingleAsync()));
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "entered-in-error-refused");

        // By keyboard: the reason, the confirmation, then the button.
        await page.GetByLabel("Why it was entered in error").FillAsync("Recorded for the wrong person: belongs to another Robin.");
        await page.GetByLabel("I confirm this presentation was entered in error").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.GetByRole(AriaRole.Button, new() { Name = "Withdraw this presentation" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "marked as entered in error" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Entered in error: withdrawn, not counted" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Recorded for the wrong person: belongs to another Robin.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("0 presentations in the last 12 months")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("summary", new() { HasText = "This presentation was entered in error" })).ToHaveCountAsync(0);
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "entered-in-error-withdrawn");
    }

    [Fact]
    public async Task Only_a_clinician_is_offered_the_withdrawal()
    {
        var person = await NewPerson();
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.User(Roles.AftercareWorker));
        await page.GotoAsync($"/people/{person}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Timeline" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("summary", new() { HasText = "This presentation was entered in error" })).ToHaveCountAsync(0);
    }
}
