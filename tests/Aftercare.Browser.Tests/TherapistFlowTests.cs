using System.Text.RegularExpressions;
using Aftercare.Domain.Users;

namespace Aftercare.Browser.Tests;

/// <summary>
/// The therapist's day as a therapist lives it (issue 11, "A browser test per role"): find the
/// person, plan a course of therapy (outside the usual range it asks why), record a session, and
/// record medication for an associated condition, where "to reduce self-harm" is refused with the
/// guideline's reason (domain.md rules 9 and 10).
/// </summary>
public sealed class TherapistFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    [Fact]
    public async Task A_therapist_plans_a_course_records_a_session_and_medication_for_an_associated_condition()
    {
        var page = await session.NewPage();
        await page.GotoAsync("/signin");
        await session.SignIn(page, session.App.User(Roles.Therapist));
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Find a person" }).ClickAsync();
        await page.GetByLabel("Number", new() { Exact = true }).FillAsync("DEMO0004");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Walk.Check(page);
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Open record") }).ClickAsync();
        await Walk.Check(page);
        var record = new Uri(page.Url).AbsolutePath;

        // A course of 20 sessions is outside the usual range: it is refused until a reason is given.
        var therapy = page.Locator("details", new() { Has = page.GetByText("Plan a course of psychological therapy") });
        await therapy.Locator("summary").ClickAsync();
        await therapy.GetByLabel("Planned sessions").FillAsync("20");
        await therapy.GetByLabel("Starts on").FillAsync("2026-11-20");
        await therapy.GetByLabel("Therapist", new() { Exact = true }).FillAsync("Demo Therapist");
        await therapy.GetByLabel("Their training in this therapy").FillAsync("Postgraduate diploma in CBT (demo)");
        await therapy.GetByLabel("Supervision").FillAsync("Fortnightly with the demo psychology lead");
        await therapy.GetByRole(AriaRole.Button, new() { Name = "Plan the course" }).ClickAsync();
        var reasonError = page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("reason", RegexOptions.IgnoreCase) }).First;
        await Assertions.Expect(reasonError).ToBeVisibleAsync();
        await Walk.Check(page);
        Assert.Equal(record, new Uri(page.Url).AbsolutePath);
        await page.GetByLabel("Reason, if outside the usual range").FillAsync("Agreed with them: a longer course, as the first one ended early.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Plan the course" }).ClickAsync();
        var course = page.Locator("ul.documents li", new() { HasText = "of 20 sessions attended" });
        await Assertions.Expect(course).ToContainTextAsync("0 of 20 sessions attended");

        // A session on the day the course starts counts.
        await course.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Record a session attended") }).ClickAsync();
        await Assertions.Expect(course).ToContainTextAsync("1 of 20 sessions attended");

        // Medication to reduce self-harm is refused with the guideline's reason, and nothing is recorded.
        var medication = page.Locator("details", new() { Has = page.GetByText("Record medication for an associated condition") });
        await medication.Locator("summary").ClickAsync();
        await medication.GetByLabel("Medicine").FillAsync("Sertraline (demo)");
        await medication.GetByLabel("For", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "To reduce self-harm" });
        await medication.GetByRole(AriaRole.Button, new() { Name = "Record medication" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("NICE|self-harm itself", RegexOptions.IgnoreCase) }).First).ToBeVisibleAsync();
        await Walk.Check(page);
        await Assertions.Expect(page.Locator("ul.documents li", new() { HasText = "Sertraline (demo)" })).ToHaveCountAsync(0);

        // For depression, with its toxicity in overdose considered, it is recorded.
        await medication.GetByLabel("Medicine").FillAsync("Sertraline (demo)");
        await medication.GetByLabel("Class").SelectOptionAsync(new SelectOptionValue { Label = "SSRI" });
        await medication.GetByLabel("For", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Depression" });
        await medication.GetByLabel("Quantity supplied").FillAsync("28 tablets");
        await medication.GetByLabel("I have considered its toxicity in overdose and limited the quantity").CheckAsync();
        await medication.GetByRole(AriaRole.Button, new() { Name = "Record medication" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Sertraline (demo) (SSRI) for Depression")).ToBeVisibleAsync();
        await Walk.Check(page);
        await BrowserSession.Screenshot(page, "therapist-record");
    }
}
