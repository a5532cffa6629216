namespace Aftercare.Browser.Tests;

/// <summary>
/// What every page of a role's walk is checked for (issue 11, "Tests"): an axe scan, and that every
/// link in an error summary stays on the page and lands on a field of it.
/// </summary>
internal static class Walk
{
    public static async Task Check(IPage page)
    {
        await BrowserSession.AssertAccessible(page);
        await ErrorLinksStayOnThePage(page);
    }

    public static async Task ErrorLinksStayOnThePage(IPage page)
    {
        var here = new Uri(page.Url).AbsolutePath;
        var hrefs = await page.Locator(".error-summary a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        foreach (var href in hrefs)
        {
            Assert.StartsWith(here + "#", href, StringComparison.Ordinal);
            var id = Uri.UnescapeDataString(href[(here.Length + 1)..]);
            Assert.True(await page.Locator($"[id='{id}']").CountAsync() == 1, $"The error link {href} on {here} has no field with id {id}.");
        }
    }
}
