using System.Globalization;
using System.Text.RegularExpressions;
using Aftercare.Domain.Assessments;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Users;
using Aftercare.Tests;
using UglyToad.PdfPig;

namespace Aftercare.Browser.Tests;

/// <summary>
/// Issue #3 as a clinician lives it: from a demo person's presentation to a completed assessment,
/// an agreed care plan and the person's safety plan on paper, as a PDF and on their phone.
/// </summary>
public sealed partial class PlansFlowTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private const string Payload = "<script>alert('x')</script><b>not bold</b>";

    private static string Local(DateTimeOffset at) => London.Local(at);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();

    private static string Squash(string text) => Space().Replace(text, "");

    private static async Task<string> PdfText(IDownload download)
    {
        var path = await download.PathAsync();
        using var pdf = PdfDocument.Open(await File.ReadAllBytesAsync(path));
        return string.Concat(pdf.GetPages().Select(p => p.Text));
    }

    [Fact]
    public async Task A_clinician_takes_a_demo_person_from_presentation_to_assessment_care_plan_and_their_own_safety_plan()
    {
        var page = await session.NewPage();
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        var clinician = session.App.User(Roles.Clinician);
        await page.GotoAsync("/signin");
        await session.SignIn(page, clinician);

        // Find the demo person and open the assessment of their latest presentation.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Find a person" }).ClickAsync();
        await page.GetByLabel("Number", new() { Exact = true }).FillAsync("DEMO0003");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Open record") }).ClickAsync();
        var personUrl = page.Url;
        var given = (await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).TextContentAsync())!.Split(' ')[0];
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Start the psychosocial assessment") }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Psychosocial assessment" })).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);

        // Completing with sections empty names each one and saves nothing.
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete assessment" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Formulation: write something") })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Not started.")).ToBeVisibleAsync();

        var now = AftercareApplication.Now;
        await page.GetByLabel("Assessed at").FillAsync(Local(now.AddHours(-1)));
        await page.GetByLabel("Explained at").FillAsync(Local(now.AddHours(-1)));
        await page.GetByRole(AriaRole.Group, new() { Name = "Does the person want family, carers or others involved?" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "May their plan be shared with their GP?" }).GetByLabel("Yes", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "Does the person have dependent children?" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        foreach (var section in AssessmentSections.All)
        {
            var words = section.Section == AssessmentSection.PersonsOwnAccount
                ? "I felt I couldn't cope after losing my job. " + Payload
                : $"Synthetic note for {section.Title.ToLowerInvariant()}.";
            await page.GetByLabel(section.Title, new() { Exact = true }).FillAsync(words);
        }

        await page.GetByLabel("Agreed risk 1").FillAsync("Urges to take an overdose when alone at night");
        await page.GetByLabel("Agreed risk 2").FillAsync("Drinking heavily at weekends");
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete assessment" }).ClickAsync();
        // Completing says so and offers the plans that follow from it.
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The assessment is completed (version 1)");
        await Assertions.Expect(page.GetByRole(AriaRole.Status).GetByRole(AriaRole.Link, new() { Name = "Make the care plan" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).GetByRole(AriaRole.Link, new() { Name = "Make the safety plan" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("In the person's own words")).ToHaveValueAsync(new Regex(Regex.Escape(Payload)));
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "assessment");

        // The care plan answers the agreed risks; a review beyond 12 months is refused.
        await page.GotoAsync(personUrl);
        await page.GetByRole(AriaRole.Link, new() { Name = "Care plan and risk-management plan" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Not yet addressed:")).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await page.GetByLabel(CarePlanAim.ReduceHarmOrSelfHarm.Describe()).CheckAsync();
        await page.GetByLabel(CarePlanAim.ImproveQualityOfLife.Describe()).CheckAsync();
        await page.GetByLabel("Long-term goals: education, employment, occupation").FillAsync("Back into work in a kitchen by the summer. " + Payload);
        await page.GetByLabel("Goal 1", new() { Exact = true }).FillAsync("Sleep better");
        await page.GetByLabel("Steps for goal 1").FillAsync("Talk to the GP about sleep; no screens after eleven");
        await page.GetByLabel("Who 1", new() { Exact = true }).FillAsync(given + " (the person)");
        await page.GetByLabel("Does what 1").FillAsync("Uses the safety plan; tells the aftercare worker how the week went");
        await page.GetByLabel("Who 2", new() { Exact = true }).FillAsync("Aftercare worker");
        await page.GetByLabel("Does what 2").FillAsync("Calls within 48 hours, then weekly for three months");
        var factors = page.GetByLabel("Factors linked to this risk");
        var actions = page.GetByLabel("Agreed actions");
        await factors.Nth(0).FillAsync("Being alone late at night; stockpiled tablets");
        await actions.Nth(0).FillAsync("Tablets kept by a friend; call the crisis line at night");
        await factors.Nth(1).FillAsync("Weekends after arguments");
        await actions.Nth(1).FillAsync("Referral to the alcohol service, with consent");
        await page.GetByLabel("Crisis plan").FillAsync("Use the safety plan; call the crisis team or Samaritans; 999 if in danger.");
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await page.GetByLabel("Review with the person by").FillAsync(Day(today.AddMonths(13)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Agree plan" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("at least every 12 months") })).ToBeVisibleAsync();
        await page.GetByLabel("Review with the person by").FillAsync(Day(today.AddMonths(6)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Agree plan" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved as version 1, agreed");
        await BrowserSession.AssertAccessible(page);
        await BrowserSession.Screenshot(page, "care-plan");

        // The safety plan, in the person's words.
        await page.GotoAsync(personUrl);
        await page.GetByRole(AriaRole.Link, new() { Name = "Safety plan", Exact = true }).ClickAsync();
        await BrowserSession.AssertAccessible(page);
        foreach (var section in SafetyPlanSections.All)
        {
            var words = section switch
            {
                SafetyPlanSection.WarningSigns => "Not sleeping, staying in my room. " + Payload,
                SafetyPlanSection.PeopleICanAsk => "My sister Jo on 07700 900123.",
                _ => $"My words for {section.Title().ToLowerInvariant()}.",
            };
            await page.GetByLabel($"{(int)section + 1}. {section.Title()}").FillAsync(words);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Save the person's plan" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved as version 1");

        // Paper: the print view shows the words as text.
        await page.GetByRole(AriaRole.Link, new() { Name = "Print view" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{given}'s safety plan" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Not sleeping, staying in my room. " + Payload)).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        await page.GoBackAsync();

        // PDF: Chromium's print of the same view.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download PDF" }).ClickAsync());
        var pdf = Squash(await PdfText(download));
        Assert.Contains(Squash($"{given}'s safety plan"), pdf, StringComparison.Ordinal);
        Assert.Contains(Squash(SafetyPlanSection.ReasonsForLiving.Title()), pdf, StringComparison.Ordinal);
        Assert.Contains(Squash(Payload), pdf, StringComparison.Ordinal);
        Assert.Contains("Samaritans", pdf, StringComparison.Ordinal);

        // Phone: a private link, opened without signing in.
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a private link for their phone" }).ClickAsync();
        var link = await page.GetByLabel("Private link").InputValueAsync();
        Assert.Matches("/my-plan/[A-Za-z0-9_-]{40,}$", link);
        // Or the person scans it: the same choice of text, email or by hand as the feedback link.
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "QR code of the private link" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Group, new() { Name = "How to give it" }).GetByLabel("Text message")).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        var phone = await session.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, Locale = "en-GB" });
        var mine = await phone.NewPageAsync();
        mine.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        await mine.GotoAsync(link);
        await Assertions.Expect(mine.GetByRole(AriaRole.Heading, new() { Name = $"{given}'s safety plan" })).ToBeVisibleAsync();
        await Assertions.Expect(mine.GetByRole(AriaRole.Link, new() { Name = "116 123" })).ToHaveAttributeAsync("href", "tel:116123");

        // "If you need help now" first: crisis lines, the people they can ask and their team, on the first screen, each one tap away.
        var help = mine.GetByRole(AriaRole.Region, new() { Name = "If you need help now" });
        await Assertions.Expect(help.GetByRole(AriaRole.Link, new() { Name = "116 123" })).ToHaveAttributeAsync("href", "tel:116123");
        await Assertions.Expect(help.GetByRole(AriaRole.Link, new() { Name = "text SHOUT to 85258" })).ToHaveAttributeAsync("href", "sms:85258?&body=SHOUT");
        await Assertions.Expect(help.GetByRole(AriaRole.Link, new() { Name = "07700 900123" })).ToHaveAttributeAsync("href", "tel:07700900123");
        await Assertions.Expect(help.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^01632 960\\d{3}$") })).ToHaveAttributeAsync("href", new Regex("^tel:01632960\\d{3}$"));
        foreach (var target in new[] { help.GetByRole(AriaRole.Heading, new() { Name = "If you need help now" }), help.GetByRole(AriaRole.Link, new() { Name = "116 123" }), help.GetByRole(AriaRole.Link, new() { Name = "07700 900123" }) })
        {
            var box = await target.BoundingBoxAsync();
            Assert.True(box is not null && box.Y + box.Height <= 844, $"within the first 844 px of a 390 px phone (at {box?.Y})");
        }

        var sections = await mine.Locator("section h2").AllInnerTextsAsync();
        Assert.Equal("If you need help now", sections[0]);
        await BrowserSession.AssertAccessible(mine);
        await BrowserSession.Screenshot(mine, "safety-plan-phone");

        // Revoked: the link shows nothing.
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Revoke") }).ClickAsync();
        await Assertions.Expect(page.GetByText(new Regex("^Revoked"))).ToBeVisibleAsync();
        var gone = await mine.GotoAsync(link);
        Assert.Equal(410, gone!.Status);
        await Assertions.Expect(mine.GetByRole(AriaRole.Heading, new() { Name = "This link is not available" })).ToBeVisibleAsync();
        await Assertions.Expect(mine.GetByText("Not sleeping")).ToHaveCountAsync(0);

        // The GP letter, with the person's consent, recorded as a share.
        await page.GotoAsync(personUrl);
        await page.GetByRole(AriaRole.Button, new() { Name = "Share the plans with the GP" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Shared with");
        await Assertions.Expect(page.GetByText("Back into work in a kitchen by the summer. " + Payload)).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        var letter = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the letter (PDF)" }).ClickAsync());
        var letterText = Squash(await PdfText(letter));
        Assert.Contains(Squash("Care plan and safety plan for"), letterText, StringComparison.Ordinal);
        // From the team, with its phone, signed by name and role: never a sign-in email.
        Assert.Matches("Telephone:01632960\\d{3}", letterText);
        Assert.Contains(Squash("Demo Clinician (assesses)"), letterText, StringComparison.Ordinal);
        Assert.Contains(Squash("Clinician, "), letterText, StringComparison.Ordinal);
        Assert.DoesNotContain("@demo.aftercare.example", letterText, StringComparison.Ordinal);
        Assert.Contains(Squash(Payload), letterText, StringComparison.Ordinal);

        // Everything is on the timeline.
        await page.GotoAsync(personUrl);
        var documents = page.GetByRole(AriaRole.Region, new() { Name = "Assessments, plans and shares" });
        await Assertions.Expect(documents.GetByText(new Regex("Psychosocial assessment, completed"))).ToBeVisibleAsync();
        await Assertions.Expect(documents.GetByText(new Regex("Care plan agreed"))).ToBeVisibleAsync();
        await Assertions.Expect(documents.GetByText(new Regex("Safety plan, the person's copy"))).ToBeVisibleAsync();
        await Assertions.Expect(documents.GetByText(new Regex("^Shared with"))).ToBeVisibleAsync();
        await BrowserSession.AssertAccessible(page);
        Assert.Equal(0, dialogs);
    }
}
