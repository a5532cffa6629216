using System.Net;
using System.Text.RegularExpressions;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Users;
using Aftercare.Tests;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Browser.Tests;

/// <summary>
/// Issue 14.2 and 14.3 as the person lives it, on a 390 px phone: their plan opens with no signal,
/// they change it with no signal, it arrives as their revision when the phone is back online, and
/// the clinician sees it on the worklist and compares the versions.
/// </summary>
public sealed partial class MyPlanPhoneFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [GeneratedRegex("/my-plan/[A-Za-z0-9_-]+")]
    private static partial Regex LinkPath();

    [Fact]
    public async Task The_person_keeps_their_plan_with_no_signal_changes_it_offline_and_the_change_reaches_the_care_team_when_back_online()
    {
        if (!BrowserSession.Available)
        {
            Assert.Skip("Chromium is not installed here; ./test.sh installs it.");
        }

        // A plan agreed with the clinician, and its private link.
        var (clinicianHttp, personId, _) = await session.App.Presented();
        var plan = new Dictionary<string, string>(SafetyPlanSections.All.ToDictionary(s => s.ToString(), s => $"Written together: {s.Title()}")) { ["version"] = "0", ["action"] = "complete" };
        Assert.Equal(HttpStatusCode.Redirect, (await clinicianHttp.Post($"people/{personId}/safety-plan", "safety-plan", plan)).StatusCode);
        var link = LinkPath().Match(await (await clinicianHttp.Post($"people/{personId}/safety-plan", "create-link", [])).Content.ReadAsStringAsync()).Value;
        Assert.NotEmpty(link);

        var phone = await session.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = session.App.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, Locale = "en-GB", TimezoneId = "Europe/London",
        });
        var mine = await phone.NewPageAsync();
        mine.SetDefaultNavigationTimeout(90_000);
        mine.SetDefaultTimeout(60_000);
        await mine.GotoAsync(link);
        await Assertions.Expect(mine.GetByRole(AriaRole.Heading, new() { Name = "Robin's safety plan" })).ToBeVisibleAsync();
        // Kept on the phone once the service worker is ready; the page says when it was brought up to date.
        await Assertions.Expect(mine.Locator("html[data-kept-on-phone=yes]")).ToHaveCountAsync(1);
        var broughtUpToDate = (await mine.Locator("#brought-up-to-date").TextContentAsync())!;
        Assert.StartsWith("Last brought up to date: ", broughtUpToDate, StringComparison.Ordinal);
        await BrowserSession.AssertAccessible(mine);
        await BrowserSession.Screenshot(mine, "my-plan-phone");

        // No signal: the plan still opens, crisis lines first, with the time it was last brought up to date.
        // Proof it came from the phone, not the server: opening by link is audited, and no new opening is.
        var opened = await session.App.Read(db => db.AuditEvents.CountAsync(e => e.PersonId == personId && e.Action == Aftercare.Domain.Audit.AuditAction.SafetyPlanOpenedByLink));
        await phone.SetOfflineAsync(true);
        await mine.ReloadAsync();
        await Assertions.Expect(mine.GetByRole(AriaRole.Heading, new() { Name = "Robin's safety plan" })).ToBeVisibleAsync();
        await Assertions.Expect(mine.GetByRole(AriaRole.Region, new() { Name = "If you need help now" }).GetByRole(AriaRole.Link, new() { Name = "116 123" })).ToBeVisibleAsync();
        await Assertions.Expect(mine.Locator("#brought-up-to-date")).ToHaveTextAsync(broughtUpToDate);
        await BrowserSession.Screenshot(mine, "my-plan-offline");
        Assert.Equal(opened, await session.App.Read(db => db.AuditEvents.CountAsync(e => e.PersonId == personId && e.Action == Aftercare.Domain.Audit.AuditAction.SafetyPlanOpenedByLink)));

        // A change with no signal is kept on the phone.
        await mine.GetByLabel($"1. {SafetyPlanSection.WarningSigns.Title()}").FillAsync("When I stop answering my messages");
        await mine.GetByRole(AriaRole.Button, new() { Name = "Save my changes" }).ClickAsync();
        await Assertions.Expect(mine.Locator("#phone-status")).ToContainTextAsync("Your change is kept on this phone");
        await BrowserSession.AssertAccessible(mine);
        await BrowserSession.Screenshot(mine, "my-plan-change-kept-offline");
        Assert.Single(await session.App.Read(db => db.SafetyPlans.Where(p => p.PersonId == personId).SelectMany(p => p.Revisions).ToListAsync()));

        // Back online: it is sent, and arrives as their revision.
        await phone.SetOfflineAsync(false);
        await mine.WaitForURLAsync(new Regex("\\?changed=2#changed$"));
        await Assertions.Expect(mine.GetByRole(AriaRole.Heading, new() { Name = "Your change is saved" })).ToBeVisibleAsync();
        await Assertions.Expect(mine.GetByText("You changed this on").First).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(mine);
        await BrowserSession.Screenshot(mine, "my-plan-change-arrived");
        var top = await session.App.Read(db => db.SafetyPlans.Where(p => p.PersonId == personId).SelectMany(p => p.Revisions).OrderByDescending(r => r.Version).FirstAsync());
        Assert.Equal((2, SafetyPlan.ByThePerson), (top.Version, top.SavedBy));
        Assert.Equal("When I stop answering my messages", top.Content.Text(SafetyPlanSection.WarningSigns));

        // The clinician sees it on the worklist and compares the two versions, section by section.
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.User(Roles.Clinician));
        await page.GotoAsync("/worklist");
        var changed = page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex("^Safety plans people changed") });
        await Assertions.Expect(changed.GetByText("Robin updated their safety plan").First).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await changed.Locator($"a[href='/people/{personId}/safety-plan/compare?left=1&right=2']").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Compare versions of the safety plan" })).ToBeVisibleAsync();
        var row = page.GetByRole(AriaRole.Row, new() { NameRegex = new Regex("^My warning signs") });
        await Assertions.Expect(row).ToContainTextAsync("Added: When I stop answering my messages");
        await Assertions.Expect(row).ToContainTextAsync("Removed: Written together: My warning signs and triggers");
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "safety-plan-person-change-compared");
        await page.GotoAsync($"/people/{personId}/safety-plan");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Changes Robin made" })).ToContainTextAsync("Robin updated their safety plan");
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "safety-plan-person-change");
        await phone.CloseAsync();
    }
}
