using System.Text.RegularExpressions;
using Aftercare.Domain.Users;
using Aftercare.Tests;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Browser.Tests;

/// <summary>
/// Issue 14.4 to 14.8 on a 320 px phone: the person writes their plan while they wait, writes to
/// their team and reads the answer, asks to talk, chooses how they are contacted and sees what is
/// next; the clinician reads and answers from the worklist. Every page is scanned by axe.
/// </summary>
public sealed class PersonVoiceFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private async Task<IPage> Phone(string host = "localhost")
    {
        // A passkey's relying party is a host name, never an IP address: the phone opens localhost.
        var context = await session.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = new UriBuilder(session.App.BaseAddress) { Host = host }.Uri.ToString(),
            Locale = "en-GB",
            TimezoneId = "Europe/London",
            ViewportSize = new ViewportSize { Width = 320, Height = 720 },
            IsMobile = true,
            HasTouch = true,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultNavigationTimeout(90_000);
        page.SetDefaultTimeout(60_000);
        return page;
    }

    [Fact]
    public async Task On_a_small_phone_the_person_writes_to_their_team_asks_to_talk_and_chooses_how_they_are_contacted_and_a_clinician_answers()
    {
        if (!BrowserSession.Available)
        {
            Assert.Skip("Chromium is not installed here; ./test.sh installs it.");
        }

        var app = session.App;
        var (clinician, personId, token, _) = await PersonSignInTests.PersonWithPlanAndLink(app, "Nova");
        var phone = await Phone();
        var cdp = await phone.Context.NewCDPSessionAsync(phone);
        await cdp.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2", ["transport"] = "internal", ["hasResidentKey"] = true,
                ["hasUserVerification"] = true, ["isUserVerified"] = true, ["automaticPresenceSimulation"] = true,
            },
        });
        await phone.GotoAsync($"my/setup/{token}");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Set up a passkey" }).ClickAsync();
        await phone.WaitForURLAsync("**/my");

        // What is next, on their home page.
        await Assertions.Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "What's next" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(phone);
        await BrowserSession.Screenshot(phone, "my-space-whats-next");

        // A message to the team: sent, in their words, and kept in the thread.
        await phone.GetByRole(AriaRole.Link, new() { Name = "Messages with your care team" }).ClickAsync();
        await phone.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(phone.GetByText("Write your message.").First).ToBeVisibleAsync();
        await phone.GetByLabel("Your message").FillAsync("Had a hard night. Could someone ring me today?");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(phone.GetByText("Your message has been sent to your care team.")).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(phone);

        // Ask to talk, with how and when.
        await phone.GotoAsync("my/talk");
        await phone.GetByLabel("A phone call").CheckAsync();
        await phone.GetByLabel("In the afternoon").CheckAsync();
        await phone.GetByLabel("Anything you'd like us to know first (you don't have to write anything)").FillAsync("About going back to work");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Ask to talk" }).ClickAsync();
        await Assertions.Expect(phone.GetByText(new Regex("^Thank you. Someone from your care team will be in touch by"))).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(phone);
        await BrowserSession.Screenshot(phone, "my-space-ask-to-talk");

        // How they are contacted: their choice, at once.
        await phone.GotoAsync("my/contact");
        await phone.GetByLabel("By text message").CheckAsync();
        await phone.GetByLabel("Not after").FillAsync("21:00");
        await phone.GetByLabel("Until").FillAsync("08:00");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Save my choices" }).ClickAsync();
        await Assertions.Expect(phone.GetByText("Saved. Thank you: we will use these from now on.")).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(phone);
        await BrowserSession.Screenshot(phone, "my-space-contact-choices");
        Assert.Equal(Aftercare.Domain.People.ContactChannel.TextMessage, await app.Read(db => db.People.Where(p => p.Id == personId).Select(p => p.PreferredChannel).FirstAsync()));

        // The clinician: the message and the request on the worklist, answered from the record.
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, app.User(Roles.Clinician));
        await page.GotoAsync("/worklist");
        var messages = page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex("^Messages from people") });
        await Assertions.Expect(messages.GetByText("In their own space").First).ToBeVisibleAsync();
        var talks = page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex("^Asked to talk") });
        await Assertions.Expect(talks.GetByText("A phone call, in the afternoon").First).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "worklist-messages-from-people");
        await page.GotoAsync($"/people/{personId}#thread-title");
        await Assertions.Expect(page.GetByText("Had a hard night. Could someone ring me today?")).ToBeVisibleAsync();
        await page.GetByLabel(new Regex("^Answer Nova")).FillAsync("Thank you for telling us, Nova. I'll ring you at 2pm.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the answer" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Your answer is sent.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("The person chose these themselves in their own space", new() { Exact = false })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "record-messages-from-the-person");

        // The person reads the answer.
        await phone.GotoAsync("my/messages");
        await Assertions.Expect(phone.GetByText("Thank you for telling us, Nova. I'll ring you at 2pm.")).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(phone);
        await BrowserSession.Screenshot(phone, "my-space-messages");
        await phone.Context.CloseAsync();
    }

    [Fact]
    public async Task In_the_waiting_room_the_person_writes_their_plan_on_their_phone_and_the_clinician_sees_their_draft()
    {
        if (!BrowserSession.Available)
        {
            Assert.Skip("Chromium is not installed here; ./test.sh installs it.");
        }

        var app = session.App;
        var (_, personId, _) = await app.Presented();
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, app.User(Roles.Clinician));
        await page.GotoAsync($"/people/{personId}/safety-plan");
        await page.GetByRole(AriaRole.Button, new() { Name = "Give them a link to write it while they wait" }).ClickAsync();
        var link = await page.GetByRole(AriaRole.Textbox, new() { Name = "Link to write the plan" }).InputValueAsync();
        Assert.NotNull(link);
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "safety-plan-while-you-wait-link");

        var phone = await Phone();
        await phone.GotoAsync(new Uri(link).PathAndQuery);
        await Assertions.Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Your safety plan, while you wait", Level = 1 })).ToBeVisibleAsync();
        await phone.GetByLabel(new Regex("^1\\. ")).FillAsync("I stop answering my phone");
        await phone.GetByLabel(new Regex("^7\\. ")).FillAsync("My sister, and my dog");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Save what I have written" }).ClickAsync();
        await Assertions.Expect(phone.GetByText(new Regex("^Saved at"))).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(phone);
        await BrowserSession.Screenshot(phone, "while-you-wait");

        await page.GotoAsync($"/people/{personId}/safety-plan");
        await Assertions.Expect(page.GetByText("I stop answering my phone").First).ToBeVisibleAsync();
        await phone.Context.CloseAsync();
    }
}
