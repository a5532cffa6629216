using Aftercare.Tests;

namespace Aftercare.Browser.Tests;

/// <summary>
/// Issue 14.1 on a phone: from the private link the person sets up a passkey (Chromium's virtual
/// authenticator, through the DevTools protocol), signs out, signs back in with it and sees their plan.
/// </summary>
public sealed class PersonPasskeyFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [Fact]
    public async Task On_a_phone_the_person_sets_up_a_passkey_from_their_link_signs_out_and_back_in_and_sees_their_plan()
    {
        if (!BrowserSession.Available)
        {
            Assert.Skip("Chromium is not installed here; ./test.sh installs it.");
        }

        var app = session.App;
        var (clinician, personId, token, _) = await PersonSignInTests.PersonWithPlanAndLink(app);

        // A passkey's relying party is a host name, never an IP address: the phone opens localhost.
        var context = await session.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = new UriBuilder(app.BaseAddress) { Host = "localhost" }.Uri.ToString(),
            Locale = "en-GB",
            TimezoneId = "Europe/London",
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultNavigationTimeout(90_000);
        page.SetDefaultTimeout(60_000);
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2", ["transport"] = "internal", ["hasResidentKey"] = true,
                ["hasUserVerification"] = true, ["isUserVerified"] = true, ["automaticPresenceSimulation"] = true,
            },
        });

        await page.GotoAsync($"my-plan/{token}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Set up this phone" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Set up this phone", Level = 1 })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "person-setup-phone");
        await page.GetByLabel("A name for this phone (if you like)").FillAsync("My phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set up a passkey" }).ClickAsync();

        await page.WaitForURLAsync("**/my");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Robin's safety plan", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Not sleeping, going quiet")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signing in on this phone" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("My phone, set up")).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "person-my-space");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByText("You have signed out.")).ToBeVisibleAsync();
        await page.GotoAsync("my");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to your space", Level = 1 })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "person-signin");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        await page.WaitForURLAsync("**/my");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Robin's safety plan", Level = 1 })).ToBeVisibleAsync();

        // The care team sees the phone on the record, by the name the person gave it.
        var record = System.Net.WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}"));
        Assert.Contains("My phone", record, StringComparison.Ordinal);
        Assert.Contains("with a passkey on My phone", record, StringComparison.Ordinal);

        await page.GotoAsync("my/help");
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "person-help");
        await context.CloseAsync();
    }
}
