using System.Globalization;
using Aftercare.Domain.Users;
using Aftercare.Tests;

namespace Aftercare.Browser.Tests;

/// <summary>A clinician's first day, as a person uses it: by role and label, with an axe scan of every page.</summary>
public sealed class ClinicianFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private static string Local(DateTimeOffset at) => London.Local(at);

    [Fact]
    public async Task A_clinician_registers_a_new_person_then_their_return_by_identifier_and_sees_both_on_the_timeline()
    {
        var page = await session.NewPage();
        var clinician = session.App.User(Roles.Clinician);

        await page.GotoAsync("/");
        Assert.EndsWith("/signin?ReturnUrl=%2F", page.Url, StringComparison.Ordinal);
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "signin");
        await session.SignIn(page, clinician, checkCodePage: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Aftercare", Level = 1 })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);

        // First presentation: a person new to us.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Register a presentation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register a presentation" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);

        // Submitting an empty form names each problem and saves nothing.
        await page.GetByRole(AriaRole.Button, new() { Name = "Register presentation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "There is a problem" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Enter the person's given name." })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);

        var mrn = "BRW" + Random.Shared.Next(100000, 999999).ToString(CultureInfo.InvariantCulture);
        await NewPerson(page).GetByLabel("MRN", new() { Exact = true }).FillAsync(mrn);
        await NewPerson(page).GetByLabel("Given name").FillAsync("Robin");
        await NewPerson(page).GetByLabel("Family name").FillAsync("Browsertest");
        await NewPerson(page).GetByLabel("Date of birth").FillAsync("1994-03-27");
        await NewPerson(page).GetByLabel("Sex").SelectOptionAsync(new SelectOptionValue { Label = "Female" });
        await NewPerson(page).GetByLabel("Phone").FillAsync("07700 900456");
        await NewPerson(page).GetByLabel("Prefers to be contacted by").SelectOptionAsync(new SelectOptionValue { Label = "Text message" });
        await NewPerson(page).GetByLabel("GP practice", new() { Exact = true }).FillAsync("Demo Street Surgery (fictional)");
        await page.GetByRole(AriaRole.Group, new() { Name = "Has the person had contact with mental-health services before?" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await FillPresentation(page, AftercareApplication.Now.AddDays(-30));
        await BrowserSession.Screenshot(page, "register-presentation");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register presentation" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Robin Browsertest" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The presentation has been registered.");
        await Assertions.Expect(page.GetByText("First presentation recorded here")).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);

        // Second presentation: found by identifier.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Register a presentation" }).ClickAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "Find them first" }).GetByLabel("Number", new() { Exact = true }).FillAsync(mrn.ToLowerInvariant());
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "1 person found" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Register for this person for Robin Browsertest" }).ClickAsync();
        await Assertions.Expect(page.GetByText("1 presentation in the last 12 months")).ToBeVisibleAsync();
        await FillPresentation(page, AftercareApplication.Now.AddHours(-4), assessedHoursLater: 2);
        await BrowserSession.AssertAccessible(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register presentation" }).ClickAsync();

        await Assertions.Expect(page.GetByText("2 presentations in the last 12 months")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Came back for help (2nd presentation)")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("First presentation recorded here")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("2 h 0 min after arrival")).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "person-timeline");
        Assert.DoesNotContain(mrn, page.Url, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_new_person_with_an_identifier_already_held_is_offered_the_existing_person_not_a_twin()
    {
        var page = await session.NewPage();
        var worker = session.App.User(Roles.AftercareWorker);
        await page.GotoAsync("/signin");
        await session.SignIn(page, worker);

        await page.GotoAsync("/presentations/new");
        await NewPerson(page).GetByLabel("MRN", new() { Exact = true }).FillAsync("DEMO0001");
        await NewPerson(page).GetByLabel("Given name").FillAsync("Someone");
        await NewPerson(page).GetByLabel("Family name").FillAsync("Else");
        await NewPerson(page).GetByLabel("Date of birth").FillAsync("1980-01-01");
        await NewPerson(page).GetByLabel("Prefers to be contacted by").SelectOptionAsync(new SelectOptionValue { Label = "Letter" });
        await FillPresentation(page, AftercareApplication.Now.AddHours(-2));
        await page.GetByRole(AriaRole.Button, new() { Name = "Register presentation" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This identifier belongs to someone already" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        var confirm = page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Yes, register for ") });
        var name = (await confirm.TextContentAsync())!["Yes, register for ".Length..];
        await confirm.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The presentation has been registered.");
    }

    /// <summary>The "a person new to us" part of the form, as a person reads it.</summary>
    private static ILocator NewPerson(IPage page) => page.GetByRole(AriaRole.Group, new() { Name = "A person new to us" });

    private static async Task FillPresentation(IPage page, DateTimeOffset arrived, int? assessedHoursLater = null)
    {
        await page.GetByLabel("Arrived at").FillAsync(Local(arrived));
        await page.GetByLabel("Site").SelectOptionAsync(new SelectOptionValue { Label = "Northgate General Hospital (demo)" });
        await page.GetByLabel("Overdose of medicines or drugs").CheckAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "Alcohol involved" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "Medical treatment needed" }).GetByLabel("Yes", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Next").SelectOptionAsync(new SelectOptionValue { Label = "Discharged" });
        if (assessedHoursLater is { } hours)
        {
            await page.GetByLabel("Psychosocial assessment at").FillAsync(Local(arrived.AddHours(hours)));
        }
    }
}
