using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.Domain.Users;
using Aftercare.Tests;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Browser.Tests;

/// <summary>
/// Issue 11.5 and the person page: on a 1440x900 screen a refused post on the person page showed
/// its error 1,300-1,800 px below the top it reloaded at, and a green notice beside the refusal.
/// The page now opens on the timeline and what to do next.
/// </summary>
public sealed partial class PersonPageFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private const int ScreenHeight = 900;

    [GeneratedRegex("^(Start|Finish) the psychosocial assessment")]
    private static partial Regex AssessmentStep();

    private async Task<IPage> ClinicianOnA1440Screen()
    {
        var page = await session.NewPage();
        await page.SetViewportSizeAsync(1440, ScreenHeight);
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.User(Roles.Clinician));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Aftercare", Level = 1 })).ToBeVisibleAsync();
        return page;
    }

    /// <summary>Someone new, registered through the API: no consent to share yet, no plans, nothing else.</summary>
    private async Task<Guid> NewPerson()
    {
        var client = await session.App.ClientFor(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(await session.App.SiteId(),
            session.App.Clock.GetUtcNow().AddHours(-3), newPerson: Requests.NewPerson(Requests.NewMrn(), "Sam", "Scrolltest")));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
    }

    /// <summary>The refusal's summary is on screen once the answer has loaded, and no success notice is on the page.</summary>
    private static async Task AssertTheErrorIsWhereTheEyeIs(IPage page, string what)
    {
        var summary = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "There is a problem" });
        await Assertions.Expect(summary).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
        var box = await summary.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.Y >= -1 && box.Y + Math.Min(box.Height, 120) <= ScreenHeight,
            $"{what}: the error summary is at y={box.Y:0} (height {box.Height:0}) on a {ScreenHeight} px screen");
        Assert.Equal(0, await page.Locator(".notice--success").CountAsync());
    }

    [Fact]
    public async Task A_refused_share_referral_therapy_course_medication_or_message_shows_its_error_where_the_clinician_is_looking()
    {
        var person = await NewPerson();
        var page = await ClinicianOnA1440Screen();

        // Straight after registering: the green notice is there, until a post is refused.
        await page.GotoAsync($"/people/{person}?registered=1");
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "The presentation has been registered." })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Share the plans with the GP" }).ClickAsync();
        await AssertTheErrorIsWhereTheEyeIs(page, "GP share");
        Assert.Equal($"/people/{person}", new Uri(page.Url).AbsolutePath);
        await BrowserSession.AssertAccessible(page);

        await page.GotoAsync($"/people/{person}");
        await page.GetByText("Refer to a service").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send referral" }).ClickAsync();
        await AssertTheErrorIsWhereTheEyeIs(page, "referral");
        await BrowserSession.Screenshot(page, "person-refused-referral");

        await page.GotoAsync($"/people/{person}");
        await page.GetByText("Plan a course of psychological therapy").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Plan the course" }).ClickAsync();
        await AssertTheErrorIsWhereTheEyeIs(page, "therapy course");

        await page.GotoAsync($"/people/{person}");
        await page.GetByText("Record medication for an associated condition").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record medication" }).ClickAsync();
        await AssertTheErrorIsWhereTheEyeIs(page, "medication");

        await page.GotoAsync($"/people/{person}");
        await page.GetByText("Send a message now").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await AssertTheErrorIsWhereTheEyeIs(page, "message");
        await BrowserSession.AssertAccessible(page);

        // The error links still lead to their field on this page.
        var link = page.Locator(".error-summary a").First;
        var href = await link.GetAttributeAsync("href");
        Assert.StartsWith($"/people/{person}#", href, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_update_on_the_referral_page_shows_no_green_updated_beside_it()
    {
        var person = await NewPerson();
        var client = await session.App.ClientFor(Roles.Clinician);
        var service = await session.App.Read(db => db.Services.Select(s => s.Id).FirstAsync());
        var sent = await client.Post($"people/{person}", "refer", new Dictionary<string, string>
        {
            ["serviceId"] = service.ToString(), ["reason"] = "Support with housing and debt.", ["preference"] = "NoPreference",
        });
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var referral = sent.Headers.Location!.OriginalString;

        var page = await ClinicianOnA1440Screen();
        await page.GotoAsync(referral + "?updated=1");
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Updated:" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Update the handoff" }).ClickAsync();
        await AssertTheErrorIsWhereTheEyeIs(page, "referral update");
        await BrowserSession.AssertAccessible(page);
    }

    [Fact]
    public async Task The_person_page_opens_on_the_timeline_and_what_to_do_next_and_the_assessment_starts_at_now()
    {
        var person = await NewPerson();
        var page = await ClinicianOnA1440Screen();
        await page.GotoAsync($"/people/{person}");

        foreach (var heading in new[] { "What to do next", "Timeline" })
        {
            var box = await page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true }).BoundingBoxAsync();
            Assert.True(box is not null && box.Y < ScreenHeight, $"\"{heading}\" is at y={box?.Y:0}, below a {ScreenHeight} px screen");
        }

        var next = page.GetByRole(AriaRole.Region, new() { Name = "What to do next" });
        await Assertions.Expect(next.GetByRole(AriaRole.Link, new() { Name = "Make the care plan with Sam" })).ToBeVisibleAsync();
        await Assertions.Expect(next.GetByRole(AriaRole.Link, new() { Name = "Make the safety plan with Sam" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserSession.ScreenshotFolder, "person-page-first-screen.png") });

        await next.GetByRole(AriaRole.Link, new() { NameRegex = AssessmentStep() }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Psychosocial assessment" })).ToBeVisibleAsync();
        var now = London.Local(session.App.Clock.GetUtcNow());
        await Assertions.Expect(page.GetByLabel("Assessed at")).ToHaveValueAsync(now);
        await Assertions.Expect(page.GetByLabel("Explained at")).ToHaveValueAsync(now);
    }
}
