using System.Text.RegularExpressions;
using Aftercare.Domain.Users;

namespace Aftercare.Browser.Tests;

/// <summary>
/// Issue #6 as people meet it: a clinician of another team finds that a demo person's record
/// exists, cannot open it, breaks the glass with a reason, and the privacy lead signs that use off.
/// </summary>
public sealed partial class NeedToKnowFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [GeneratedRegex("/people/[0-9a-f-]+/restricted$")]
    private static partial Regex Restricted();

    [Fact]
    public async Task A_clinician_of_another_team_breaks_the_glass_and_the_privacy_lead_reviews_it()
    {
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.OtherTeamClinician);

        // Search: the record exists, and that is all they learn.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Find a person" }).ClickAsync();
        await page.GetByLabel("Number", new() { Exact = true }).FillAsync("DEMO0005");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByText("A record held by another care team")).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "search-other-team");
        await page.GetByRole(AriaRole.Link, new() { Name = "Emergency access (break the glass)" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Restricted());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("This record is held by another care team");

        // Opening it without a reason and the password names both, and opens nothing.
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Open the record") }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Choose why you need this record." })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Enter your password to confirm it is you." })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);

        await page.GetByLabel("The person has come to my service").CheckAsync();
        await page.GetByLabel("In your own words").FillAsync("They walked into the Hillside team this morning asking for help.");

        // A wrong password is not the same as none.
        await page.GetByLabel("Your password, to confirm it is you").FillAsync("not my password");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Open the record") }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^That password is not right") })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Enter your password to confirm it is you." })).ToHaveCountAsync(0);

        await page.GetByLabel("Your password, to confirm it is you").FillAsync(session.App.OtherTeamClinician.Password);
        await BrowserSession.Screenshot(page, "break-glass");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Open the record") }).ClickAsync();
        await Assertions.Expect(page.GetByText("Came back for help").First).ToBeVisibleAsync();

        // Every page of the record says it is open under emergency access, and until when.
        var banner = page.GetByRole(AriaRole.Note, new() { Name = "Emergency access" });
        await Assertions.Expect(banner).ToContainTextAsync(new Regex("Emergency access: open until [0-9]{2}:[0-9]{2} (today|tomorrow), for the reason you gave"));
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "break-glass-banner");
        await page.GetByRole(AriaRole.Link, new() { Name = "Safety plan", Exact = true }).ClickAsync();
        await Assertions.Expect(banner).ToBeVisibleAsync();

        // The privacy lead sees the use with its reason, and signs it off.
        var lead = await session.NewPage();
        await lead.GotoAsync("/signin");
        await session.SignIn(lead, session.App.User(Roles.PrivacyLead));
        await lead.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Emergency access to review" }).ClickAsync();
        var use = lead.GetByRole(AriaRole.Region).Filter(new() { HasText = "They walked into the Hillside team this morning asking for help." });
        await Assertions.Expect(use).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(lead);
        await BrowserSession.Screenshot(lead, "break-glass-review");

        // "See the audit" is a link to it: this person, this member of staff, those days.
        await use.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^The audit of this use") }).ClickAsync();
        await Assertions.Expect(lead.GetByRole(AriaRole.Heading, new() { Name = "Audit", Level = 1 })).ToBeVisibleAsync();
        var events = lead.GetByRole(AriaRole.Table, new() { Name = "Audit events, newest first" });
        await Assertions.Expect(events).ToContainTextAsync("Page opened under emergency access");
        await Assertions.Expect(events).ToContainTextAsync("Emergency access opened (broke the glass)");
        await BrowserSession.AssertAccessible(lead);
        await BrowserSession.Screenshot(lead, "audit-of-a-use");

        // Searching by MRN finds the same person, and the MRN is not in the address.
        await lead.GetByLabel("Person's MRN or NHS number").FillAsync("DEMO0005");
        await lead.GetByLabel("User (email contains)").FillAsync("");
        await lead.GetByRole(AriaRole.Button, new() { Name = "Search the audit" }).ClickAsync();
        await Assertions.Expect(events).ToContainTextAsync("Page opened under emergency access");
        Assert.DoesNotContain("DEMO0005", lead.Url, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("personId=", lead.Url, StringComparison.Ordinal);
        await BrowserSession.AssertAccessible(lead);

        await lead.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Emergency access to review" }).ClickAsync();
        await use.GetByLabel("Appropriate", new() { Exact = true }).CheckAsync();
        await use.GetByRole(AriaRole.Button, new() { Name = "Sign off" }).ClickAsync();
        // Other tests in this class may leave their own uses to review (registering someone another
        // team holds is one), so check this use left the list and joined the signed-off table.
        await Assertions.Expect(use).ToHaveCountAsync(0);
        await Assertions.Expect(lead.GetByRole(AriaRole.Table, new() { Name = "Uses of emergency access already reviewed" }))
            .ToContainTextAsync(session.App.OtherTeamClinician.Email);
    }

    [Fact]
    public async Task A_clinician_registering_someone_another_team_holds_is_asked_why_and_sees_nothing_of_them_until_then()
    {
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.OtherTeamClinician);
        await page.GotoAsync("/presentations/new");
        await page.GetByLabel("Number", new() { Exact = true }).FillAsync("DEMO0006");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Register a presentation for them" }).ClickAsync();
        await Assertions.Expect(page.GetByText("treated as emergency access")).ToBeVisibleAsync();
        await page.GetByLabel("Arrived at").FillAsync("2026-11-20T08:15");
        await page.GetByLabel("Overdose of medicines or drugs").CheckAsync();

        // Without a reason nothing is registered, and the error says what is missing.
        await page.GetByRole(AriaRole.Button, new() { Name = "Register presentation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("Choose why you are registering") })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);

        await page.GetByLabel("The person has come to my service").CheckAsync();
        await page.GetByLabel("In your own words").FillAsync("They came to the Hillside team this morning and asked for help.");
        await page.GetByLabel("Arrived at").FillAsync("2026-11-20T08:15");
        await page.GetByLabel("Overdose of medicines or drugs").CheckAsync();
        await BrowserSession.Screenshot(page, "register-other-team");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register presentation" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Came back for help").First).ToBeVisibleAsync();

        // The privacy lead has it to review, with the reason in the clinician's words.
        var lead = await session.NewPage();
        await lead.GotoAsync("/signin");
        await session.SignIn(lead, session.App.User(Roles.PrivacyLead));
        await lead.GotoAsync("/privacy/break-glass");
        await Assertions.Expect(lead.GetByText("They came to the Hillside team this morning and asked for help.")).ToBeVisibleAsync();
    }
}
