using System.Globalization;
using System.Text.RegularExpressions;
using Aftercare.Domain.Users;
using Aftercare.Tests;

namespace Aftercare.Browser.Tests;

/// <summary>Issue #4 as an aftercare worker lives it: the worklist, a contact missed then made, a handoff confirmed.</summary>
public sealed class AftercareWorkerFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private static string Local(DateTimeOffset at) => London.Local(at);

    private static async Task<int> Count(IPage page, string heading)
    {
        var text = await page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex($"^{Regex.Escape(heading)} \\(") }).TextContentAsync();
        return int.Parse(Regex.Match(text!, @"\((\d+)\)").Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task An_aftercare_worker_records_a_missed_and_a_made_contact_and_confirms_a_handoff_and_the_worklist_changes()
    {
        var page = await session.NewPage();
        var worker = session.App.User(Roles.AftercareWorker);
        await page.GotoAsync("/signin");
        await session.SignIn(page, worker);

        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Worklist") }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Worklist", Level = 1 })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "worklist");
        var dueToday = await Count(page, "Contacts due today and overdue");
        Assert.True(dueToday > 0, "the demo has contacts due");

        // The first contact due today: not reached, then tried again and reached.
        var due = page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex("^Contacts due today and overdue") });
        await due.GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("contact with");
        await BrowserSession.AssertAccessible(page);
        var contactUrl = page.Url;
        var now = session.App.Clock.GetUtcNow();
        await page.GetByLabel("When").FillAsync(Local(now.AddMinutes(-20)));
        await page.GetByLabel("Not reached").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record contact" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Recorded. Try again by");

        await page.GetByLabel("When").FillAsync(Local(now.AddMinutes(-5)));
        await page.GetByLabel("Reached", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record contact" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "You reached the person: write how they said they are feeling, first." })).ToBeVisibleAsync();
        await page.GetByLabel("How are they feeling, in their words?").FillAsync("Tired, but glad someone called");
        await page.GetByLabel("What is going on in their life at the moment?").FillAsync("Exams next week; sleeping badly");
        await page.GetByLabel("Anything else agreed").FillAsync("Will ask the tutor for more time on the essay");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record contact" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("This contact is done.");
        // The whole check-in stays in sight (issue 11.4), not only the first answer.
        var tries = page.GetByRole(AriaRole.Region, new() { Name = "Tries so far" });
        await Assertions.Expect(tries).ToContainTextAsync("Tired, but glad someone called");
        await Assertions.Expect(tries).ToContainTextAsync("Exams next week; sleeping badly");
        await Assertions.Expect(tries).ToContainTextAsync("Will ask the tutor for more time on the essay");
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "contact-check-in");

        await page.GotoAsync("/worklist");
        Assert.Equal(dueToday - 1, await Count(page, "Contacts due today and overdue"));
        Assert.DoesNotContain(new Uri(contactUrl).AbsolutePath, await page.ContentAsync(), StringComparison.Ordinal);

        // A handoff: send one, then confirm the service accepted it.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Find a person" }).ClickAsync();
        await page.GetByLabel("Number", new() { Exact = true }).FillAsync("DEMO0010");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Open record") }).ClickAsync();
        await page.GetByText("Refer to a service").ClickAsync();
        await page.GetByLabel("Service", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Peer support group" });
        await page.GetByLabel("Prefers a non-clinical service (voluntary sector, peer support)").CheckAsync();
        await page.GetByLabel("Reason for referral").FillAsync("Would like to meet others who have been through it");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send referral" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Handoff to Peer support group" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await page.GetByLabel("Accepted, waiting for a first appointment").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Update the handoff" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Updated: Accepted");
        await BrowserSession.Screenshot(page, "handoff");

        // A demo handoff already overdue on the worklist: confirm it, and it leaves the list.
        await page.GotoAsync("/worklist");
        var unconfirmed = await Count(page, "Unconfirmed handoffs");
        Assert.True(unconfirmed > 0, "the demo has a handoff nobody confirmed");
        {
            await page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex("^Unconfirmed handoffs") }).GetByRole(AriaRole.Link).First.ClickAsync();
            var next = page.GetByRole(AriaRole.Group, new() { Name = "What has happened?" }).GetByRole(AriaRole.Radio).First;
            await next.CheckAsync();
            await page.GetByLabel("First appointment (when booked or moved)").FillAsync(Local(now.AddDays(3)));

            await page.GetByRole(AriaRole.Button, new() { Name = "Update the handoff" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Updated:");
            await page.GotoAsync("/worklist");
            Assert.Equal(unconfirmed - 1, await Count(page, "Unconfirmed handoffs"));
        }

        await BrowserSession.AssertAccessible(page);
    }
}
