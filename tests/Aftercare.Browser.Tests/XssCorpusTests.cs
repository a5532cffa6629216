using System.Globalization;
using System.Text.RegularExpressions;
using Aftercare.Domain.Users;
using Aftercare.Tests;
using UglyToad.PdfPig;

namespace Aftercare.Browser.Tests;

/// <summary>
/// Issue #6, XSS corpus: classic payloads stored through the real forms in every free-text field
/// of a fresh synthetic person, then every view of that person opened in Chromium (pages, print
/// view, the person's own link, the privacy lead's queue, the audit), the PDFs read back and the
/// FHIR answers fetched. No payload runs, nothing breaks the Content-Security-Policy, and each
/// payload is shown as the literal text that was typed.
/// </summary>
public sealed partial class XssCorpusTests(BrowserSession session) : IClassFixture<BrowserSession>
{
    private readonly List<string> _ran = [];
    private readonly List<string> _cspViolations = [];
    private readonly List<string> _injected = [];
    private readonly HashSet<string> _shown = [];
    private readonly List<(string Form, string Field, string Payload)> _stored = [];
    private int _dialogs;
    private int _next;

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();

    [GeneratedRegex("/people/([0-9a-f-]{36})")]
    private static partial Regex PersonUrl();

    private static string Squash(string text) => Space().Replace(text, "");

    private static string Local(DateTimeOffset at) => London.Local(at);

    [Fact]
    public async Task Payloads_in_every_free_text_field_never_run_in_any_view_print_view_PDF_or_letter()
    {
        // The detector itself: a payload on a page with no policy runs, and is seen.
        var control = await Page();
        await control.RouteAsync("**/detector-control", route => route.FulfillAsync(new() { Body = XssCorpus.Payloads[1], ContentType = "text/html" }));
        await control.GotoAsync("/detector-control");
        for (var i = 0; i < 50 && _ran.Count == 0; i++)
        {
            await control.WaitForTimeoutAsync(100);
        }

        Assert.Single(_ran);
        _ran.Clear();

        var now = AftercareApplication.Now;
        var clinician = await Page();
        await clinician.GotoAsync("/signin");
        await session.SignIn(clinician, session.App.User(Roles.Clinician));

        // A person new to us, every text box of the registration holding a payload (names included:
        // they are shown in titles, headings, the letter and the PDFs).
        await clinician.GotoAsync("/presentations/new");
        await Store(clinician, "register", async form =>
        {
            await form.Locator("[name='Form.Mrn']").FillAsync("XSS-" + Guid.NewGuid().ToString("N")[..8]);
            await form.Locator("[name='Form.DateOfBirth']").FillAsync("1994-03-27");
            await form.Locator("[name='Form.Phone']").FillAsync("07700 900123");
            await form.Locator("[name='Form.Email']").FillAsync("corpus.person@example.org");
            await form.Locator("[name='Form.PreferredChannel']").SelectOptionAsync("Email");
            await form.Locator("[name='Form.ArrivedAt']").FillAsync(Local(now.AddHours(-6)));
            await form.Locator("[name='Form.SiteId']").SelectOptionAsync(new SelectOptionValue { Label = "Northgate General Hospital (demo)" });
            await form.Locator("[name=methods]").First.CheckAsync();
            await form.Locator("[name='Form.MedicalTreatmentNeeded'][value=Yes]").CheckAsync();
        }, skip: ["Form.Mrn", "Form.NhsNumber", "Form.GpPracticeCode"]); // codes with a checked shape, not free text
        var personId = PersonUrl().Match(clinician.Url).Groups[1].Value;
        Assert.NotEmpty(personId);
        var person = $"/people/{personId}";

        // Assessment: completed, then amended (a second version to compare).
        var assessment = await clinician.Locator("a[href$='/assessment']").First.GetAttributeAsync("href");
        await clinician.GotoAsync(assessment!);
        await Store(clinician, "assessment", async form =>
        {
            await form.Locator("[name=assessedAt]").FillAsync(Local(now.AddHours(-2)));
            await form.Locator("[name=limitsExplainedAt]").FillAsync(Local(now.AddHours(-2)));
            await form.Locator("[name=involveFamilyOrCarers][value=Yes]").CheckAsync();
            await form.Locator("[name=shareWithGp][value=Yes]").CheckAsync();
            await form.Locator("[name=hasDependentChildren][value=No]").CheckAsync();
        }, submit: "complete");
        await Store(clinician, "assessment", submit: "complete");

        // Care plan: agreed, then amended.
        await clinician.GotoAsync(person + "/care-plan");
        await Store(clinician, "care-plan", async form =>
        {
            await form.Locator("[name=aims]").First.CheckAsync();
            await form.Locator("[name=reviewBy]").FillAsync(DateOnly.FromDateTime(now.UtcDateTime).AddMonths(6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }, submit: "agree");
        await Store(clinician, "care-plan", submit: "agree");

        // Safety plan: the person's copy, then a new version; a private link for their phone.
        await clinician.GotoAsync(person + "/safety-plan");
        await Store(clinician, "safety-plan", submit: "complete");
        await Store(clinician, "safety-plan", submit: "complete");
        await Store(clinician, "create-link");
        var myPlan = await clinician.GetByLabel("Private link").InputValueAsync();

        // Aftercare: enrolment, a contact made, a referral and a step in its handoff.
        await clinician.GotoAsync(person);
        await clinician.Locator("a[href$='/aftercare']").First.ClickAsync();
        await Store(clinician, "enrol", async form =>
        {
            await form.Locator("[name=dischargedAt]").FillAsync(Local(now.AddHours(-1)));
            await form.Locator("[name=preference][value=NoPreference]").CheckAsync();
        });
        var contact = await clinician.Locator("a[href^='/contacts/']").First.GetAttributeAsync("href");
        await clinician.GotoAsync(contact!);
        await Store(clinician, "contact", async form =>
        {
            await form.Locator("[name=at]").FillAsync(Local(now.AddMinutes(-10)));
            await form.Locator("[name=outcome][value=Reached]").CheckAsync();
        });
        await clinician.GotoAsync(person);
        await Store(clinician, "refer", async form => await form.Locator("[name=serviceId]").SelectOptionAsync(new SelectOptionValue { Index = 1 }));
        var referral = new Uri(clinician.Url).AbsolutePath;
        Assert.StartsWith("/referrals/", referral, StringComparison.Ordinal);
        await Store(clinician, "move", async form => await form.Locator("[name=status]").First.CheckAsync());

        // Therapy and medication, the person's message choices and a caring message.
        await clinician.GotoAsync(person);
        await Store(clinician, "therapy", async form =>
        {
            await form.Locator("[name=type]").SelectOptionAsync(new SelectOptionValue { Index = 1 });
            await form.Locator("[name=plannedSessions]").FillAsync("12");
            await form.Locator("[name=startsOn]").FillAsync(DateOnly.FromDateTime(now.UtcDateTime).AddDays(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        });
        await Store(clinician, "medication", async form =>
        {
            await form.Locator("[name=indication]").SelectOptionAsync("OtherAssociatedCondition");
            await form.Locator("[name=toxicityConsidered]").CheckAsync();
        });
        await Store(clinician, "message-preferences");
        await Store(clinician, "message", async form => await form.Locator("[name=channel][value=Email]").CheckAsync());

        // The letter to the GP (the GP practice is a payload too).
        await Store(clinician, "share-gp");
        var share = new Uri(clinician.Url).AbsolutePath;
        Assert.StartsWith("/shares/", share, StringComparison.Ordinal);

        // Another team's clinician breaks the glass, in their own words; the privacy lead signs it off with a note.
        var other = await Page();
        await other.GotoAsync("/signin");
        await session.SignIn(other, session.App.OtherTeamClinician);
        await other.GotoAsync(person + "/restricted");
        await Store(other, "break-glass", async form =>
        {
            await form.Locator("[name='Form.Reason']").First.CheckAsync();
            await form.Locator("[name='Form.Password']").FillAsync(session.App.OtherTeamClinician.Password);
        });
        await View(other, person);

        var lead = await Page();
        await lead.GotoAsync("/signin");
        await session.SignIn(lead, session.App.User(Roles.PrivacyLead));
        await View(lead, "/privacy/break-glass");
        await Store(lead, null, async form => await form.Locator("[name='Form.Outcome']").First.CheckAsync(), formSelector: "form:has([name='Form.GrantId'])");
        await View(lead, "/privacy/break-glass");

        // Closing the episode, with a note, last: the contacts above were made while it was active.
        await clinician.GotoAsync(person);
        await Store(clinician, null, async form => await form.Locator("[name=reason]").SelectOptionAsync(new SelectOptionValue { Index = 1 }), formSelector: "form:has([name=episodeId])");

        // Every view of the person, in the clinician's browser.
        await View(clinician, person, accessible: true);
        await View(clinician, assessment!);
        await View(clinician, assessment + "/compare?left=1&right=2");
        await View(clinician, person + "/care-plan");
        await View(clinician, person + "/care-plan/compare?left=1&right=2");
        await View(clinician, person + "/safety-plan");
        await View(clinician, person + "/safety-plan/compare?left=1&right=2");
        await View(clinician, person + "/safety-plan/print", accessible: true);
        await View(clinician, contact!);
        await View(clinician, referral!);
        await View(clinician, share);
        await View(clinician, "/worklist", mustShowPayload: false);
        await View(clinician, "/plans/reviews-due", mustShowPayload: false);
        await View(clinician, "/presentations/new?person=" + personId);

        // Finding them by a name that is a payload: the search form echoes it back.
        await clinician.GotoAsync("/people");
        await clinician.Locator("[name='Find.Name']").FillAsync(_stored.Single(s => s.Field == "Form.GivenName").Payload);
        await clinician.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Inspect(clinician, mustShowPayload: true);

        // The person's own link, on their phone, not signed in.
        var phone = await Page();
        await View(phone, myPlan, accessible: true);

        // The audit, searched for the person and with a payload as the search text.
        var admin = await Page();
        await admin.GotoAsync("/signin");
        await session.SignIn(admin, session.App.User(Roles.Administrator));
        await View(admin, "/audit?personId=" + personId, mustShowPayload: false);
        await View(admin, "/audit?actor=" + Uri.EscapeDataString(XssCorpus.Payloads[0]), mustShowPayload: false);

        // The PDFs: Chromium's print of the same views, holding the payloads as text.
        var safetyPlanPdf = await PdfText(clinician, person + "/safety-plan/pdf");
        var letterPdf = await PdfText(clinician, share + "/pdf");
        Assert.Contains(XssCorpus.Payloads, p => safetyPlanPdf.Contains(Squash(p), StringComparison.Ordinal));
        Assert.Contains(XssCorpus.Payloads, p => letterPdf.Contains(Squash(p), StringComparison.Ordinal));
        foreach (var payload in XssCorpus.Payloads.Where(p => letterPdf.Contains(Squash(p), StringComparison.Ordinal) || safetyPlanPdf.Contains(Squash(p), StringComparison.Ordinal)))
        {
            _shown.Add(payload);
        }

        // FHIR: JSON, never HTML, so nothing in it can run; the payloads are in it as data.
        await Fhir(clinician, $"/fhir/Patient/{personId}");
        foreach (var type in new[] { "Encounter", "Condition", "CarePlan", "EpisodeOfCare", "ServiceRequest", "QuestionnaireResponse", "Goal", "Task", "Appointment", "CommunicationRequest", "Communication", "Consent", "DocumentReference" })
        {
            await Fhir(clinician, $"/fhir/{type}?patient={personId}");
        }

        await View(clinician, $"/fhir/Patient/{personId}", mustShowPayload: false);

        TestContext.Current.TestOutputHelper?.WriteLine($"{_stored.Count} free-text fields: " + string.Join(", ", _stored.Select(s => s.Form + "/" + s.Field).Distinct()));

        // Console messages arrive a moment after the page that raised them.
        await clinician.WaitForTimeoutAsync(500);
        Assert.True(_stored.Count >= 60, $"only {_stored.Count} free-text fields were found: " + string.Join(", ", _stored.Select(s => s.Form + "/" + s.Field)));
        Assert.True(_ran.Count == 0, "Payloads ran:\n" + string.Join("\n", _ran));
        Assert.True(_cspViolations.Count == 0, "Content-Security-Policy violations:\n" + string.Join("\n", _cspViolations));
        Assert.True(_injected.Count == 0, "Markup injected:\n" + string.Join("\n", _injected));
        Assert.Equal(0, _dialogs);
        var hidden = XssCorpus.Payloads.Where(p => !_shown.Contains(p)).ToList();
        Assert.True(hidden.Count == 0, "Never shown as text:\n" + string.Join("\n", hidden));
    }

    /// <summary>A page in a new browser context, watched for payloads that run, dialogs and CSP violations.</summary>
    private async Task<IPage> Page()
    {
        var page = await session.NewPage();
        await page.Context.AddInitScriptAsync(XssCorpus.Detector);
        page.Console += (_, message) =>
        {
            if (message.Text.StartsWith("XSS-RAN", StringComparison.Ordinal))
            {
                _ran.Add(message.Text);
            }
            else if (message.Text.StartsWith("CSP-VIOLATION", StringComparison.Ordinal) || message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                _cspViolations.Add(message.Text);
            }
        };
        page.Dialog += (_, dialog) =>
        {
            _dialogs++;
            _ = dialog.DismissAsync();
        };
        return page;
    }

    /// <summary>
    /// Fills every text box and text area of the form (each with the next payload), lets
    /// <paramref name="choose"/> answer the rest, submits with the button of this action, and
    /// expects the form to be accepted.
    /// </summary>
    private async Task Store(IPage page, string? formName, Func<ILocator, Task>? choose = null, string? submit = null, string[]? skip = null, string? formSelector = null)
    {
        var form = page.Locator(formSelector ?? $"form:has(input[name=_handler][value='{formName}'])").First;
        await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)");
        var filled = await form.EvaluateAsync<string[]>(
            """
            (form, [payloads, start, skip]) => {
                const names = [];
                for (const box of form.querySelectorAll('textarea, input[type=text]')) {
                    if (box.readOnly || skip.includes(box.name)) continue;
                    box.value = payloads[(start + names.length) % payloads.length];
                    names.push(box.name);
                }
                return names;
            }
            """,
            new object[] { XssCorpus.Payloads, _next, skip ?? [] });
        _stored.AddRange(filled.Select((field, i) => (formName ?? formSelector!, field, XssCorpus.Payloads[(_next + i) % XssCorpus.Payloads.Count])));
        _next += filled.Length;
        if (choose is not null)
        {
            await choose(form);
        }

        var button = submit is null ? form.Locator("button[type=submit]").Last : form.Locator($"button[type=submit][value={submit}]");
        await page.EvaluateAsync("() => document.documentElement.dataset.before = 'submit'");
        await button.ClickAsync();
        await Assertions.Expect(page.Locator("html[data-before]")).ToHaveCountAsync(0);
        await page.WaitForLoadStateAsync();
        var problems = page.Locator(".error-summary");
        if (await problems.CountAsync() > 0)
        {
            Assert.Fail($"{formName ?? formSelector} was refused: {await problems.First.InnerTextAsync()}");
        }

        await Inspect(page, mustShowPayload: false);
    }

    /// <summary>Opens a view and inspects it; with <paramref name="accessible"/>, axe scans it with the payloads on it.</summary>
    private async Task View(IPage page, string url, bool mustShowPayload = true, bool accessible = false)
    {
        var response = await page.GotoAsync(url);
        Assert.True(response!.Ok, $"{url} answered {response.Status}");
        await Inspect(page, mustShowPayload);
        if (accessible)
        {
            await BrowserSession.AssertAccessible(page);
        }
    }

    /// <summary>No markup was injected, and (for views of the person's words) a payload shows as the text typed.</summary>
    private async Task Inspect(IPage page, bool mustShowPayload)
    {
        foreach (var found in await page.EvaluateAsync<string[]>(XssCorpus.InjectedMarkup))
        {
            _injected.Add($"{page.Url}: {found}");
        }

        var text = await page.EvaluateAsync<string>("() => document.body.innerText + '\\n' + document.title");
        var shown = XssCorpus.Payloads.Where(p => text.Contains(p, StringComparison.Ordinal)).ToList();
        _shown.UnionWith(shown);
        Assert.True(!mustShowPayload || shown.Count > 0, $"{page.Url} shows none of the payloads as text");
    }

    private static async Task<string> PdfText(IPage page, string url)
    {
        var response = await page.APIRequest.GetAsync(url);
        Assert.True(response.Ok, $"{url} answered {response.Status}");
        Assert.Equal("application/pdf", response.Headers["content-type"]);
        using var pdf = PdfDocument.Open(await response.BodyAsync());
        return Squash(string.Concat(pdf.GetPages().Select(p => p.Text)));
    }

    private static async Task Fhir(IPage page, string url)
    {
        var response = await page.APIRequest.GetAsync(url);
        Assert.True(response.Ok, $"{url} answered {response.Status}");
        Assert.StartsWith("application/fhir+json", response.Headers["content-type"], StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers["x-content-type-options"]);
        var body = await response.TextAsync();
        Assert.StartsWith("{", body.TrimStart(), StringComparison.Ordinal);
    }
}
