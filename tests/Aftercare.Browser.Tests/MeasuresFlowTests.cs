using Aftercare.Domain.Users;

namespace Aftercare.Browser.Tests;

/// <summary>Issue #7 as a service manager uses it: the dashboard, a filter by age band, the CSV.</summary>
public sealed class MeasuresFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [Fact]
    public async Task A_service_manager_opens_the_dashboard_filters_by_age_band_and_downloads_the_CSV()
    {
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.User(Roles.ServiceManager));
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Service measures" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Service measures", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Repetition, engagement and mortality" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "measures");

        await page.GetByLabel("Age band").SelectOptionAsync(new SelectOptionValue { Label = "25 to 44" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("age=25"));
        await Assertions.Expect(page.GetByLabel("Age band")).ToHaveValueAsync("25 to 44");
        await BrowserSession.AssertAccessible(page);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith("group,measure,", csv, StringComparison.Ordinal);
        Assert.Contains("Came back within 12 months", csv, StringComparison.Ordinal);

        // The programme evaluation, from the dashboard.
        await page.GetByRole(AriaRole.Link, new() { Name = "the programme evaluation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Aftercare programme evaluation", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("svg").First).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "evaluation");
    }
}
