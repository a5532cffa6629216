using System.Text.RegularExpressions;
using Aftercare.Domain.Users;

namespace Aftercare.Browser.Tests;

/// <summary>
/// Issue 11.1: an error link in the summary at the top of a form moves to its field on the same
/// page. With the layout's &lt;base href="/"&gt; a bare "#Outcome" went to the home page and lost
/// everything typed.
/// </summary>
public sealed class ErrorLinkFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [Fact]
    public async Task An_error_link_moves_to_the_field_and_keeps_what_was_typed()
    {
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.User(Roles.Clinician));
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Find a person" }).ClickAsync();
        await page.GetByLabel("Number", new() { Exact = true }).FillAsync("DEMO0003");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Open record") }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Start the psychosocial assessment") }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Psychosocial assessment" })).ToBeVisibleAsync();
        var formPage = new Uri(page.Url).AbsolutePath;

        // The skip link has the same base and the same fix: it stays here too.
        await page.Keyboard.PressAsync("Tab");
        await page.GetByRole(AriaRole.Link, new() { Name = "Skip to main content" }).ClickAsync();
        Assert.Equal(formPage, new Uri(page.Url).AbsolutePath);
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToBeFocusedAsync();

        const string words = "I felt I couldn't cope after losing my job.";
        await page.GetByLabel("In the person's own words").FillAsync(words);
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete assessment" }).ClickAsync();
        var errorLink = page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Outcome: write something") });
        await Assertions.Expect(errorLink).ToBeVisibleAsync();
        foreach (var href in await page.Locator(".error-summary a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
        {
            Assert.StartsWith(formPage + "#", href, StringComparison.Ordinal);
            Assert.Equal(1, await page.Locator($"[id='{Uri.UnescapeDataString(href[(formPage.Length + 1)..])}']").CountAsync());
        }


        await errorLink.ClickAsync();

        var after = new Uri(page.Url);
        Assert.Equal(formPage, after.AbsolutePath);
        Assert.Equal("#Outcome", after.Fragment);
        await Assertions.Expect(page.GetByLabel("Outcome", new() { Exact = true })).ToBeFocusedAsync();
        await Assertions.Expect(page.GetByLabel("In the person's own words")).ToHaveValueAsync(words);
        await BrowserSession.AssertAccessible(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserSession.ScreenshotFolder, "error-link-keeps-the-form.png") });
    }
}
