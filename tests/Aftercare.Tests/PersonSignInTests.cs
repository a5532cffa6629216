using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aftercare.Access;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Plans;
using Aftercare.Domain.Users;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 14.1: the person gets in to their own space at /my, from their private link, with a code
/// sent to their recorded email or mobile (the passkey is proven in the browser, PersonPasskeyFlowTests);
/// their own cookie opens only their own space; revoking it ends their session at once.
/// </summary>
public sealed partial class PersonSignInTests(MessagingFixture fixture) : IClassFixture<MessagingFixture>
{
    private AftercareApplication App => fixture.App;

    [GeneratedRegex("/my-plan/([A-Za-z0-9_-]+)")]
    private static partial Regex LinkToken();

    [GeneratedRegex("name=\"Entry.Ticket\" value=\"([^\"]+)\"")]
    private static partial Regex Ticket();

    [GeneratedRegex("code is ([0-9]{6})")]
    private static partial Regex SixDigits();

    public static async Task<(HttpClient Clinician, Guid PersonId, string Token, string Email)> PersonWithPlanAndLink(AftercareApplication app, string given = "Robin")
    {
        var client = await app.ClientFor(Roles.Clinician);
        var email = $"robin-{Guid.NewGuid():N}@example.org";
        var person = new
        {
            givenName = given, familyName = "Fictional", dateOfBirth = "1994-03-27", sex = "Female", phone = $"07700 9{Random.Shared.Next(10000, 99999)}", email,
            preferredChannel = "Email", gpPractice = "Demo Street Surgery (fictional)", priorPsychiatricHistory = "No", mrn = Requests.NewMrn(), nhsNumber = (string?)null,
        };
        var registered = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-6), newPerson: person));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var personId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var plan = new Dictionary<string, string>(SafetyPlanSections.All.ToDictionary(s => s.ToString(), s => s == SafetyPlanSection.WarningSigns ? "Not sleeping, going quiet" : "My words"))
        {
            ["version"] = "0", ["action"] = "complete",
        };
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{personId}/safety-plan", "safety-plan", plan)).StatusCode);
        var shown = WebUtility.HtmlDecode(await (await client.Post($"people/{personId}/safety-plan", "create-link", new Dictionary<string, string> { ["how"] = "Show" })).Content.ReadAsStringAsync());
        var token = LinkToken().Match(shown).Groups[1].Value;
        Assert.NotEmpty(token);
        return (client, personId, token, email);
    }

    private static async Task<(Guid Ticket, HttpResponseMessage Response)> AskForCodeByEmail(HttpClient phone, string token)
    {
        var asked = await phone.Post($"my/setup/{token}", "send-code", new Dictionary<string, string> { ["Request.Token"] = token, ["Request.How"] = "EmailCode" });
        var html = await asked.Content.ReadAsStringAsync();
        return (Guid.Parse(Ticket().Match(html).Groups[1].Value), asked);
    }

    private string CodeSentTo(string email) =>
        SixDigits().Match(fixture.Smtp.Received().Last(m => m.To.Mailboxes.Any(a => a.Address == email)).TextBody ?? "").Groups[1].Value;

    private static Task<HttpResponseMessage> TypeCode(HttpClient phone, string token, Guid ticket, string code) =>
        phone.Post($"my/setup/{token}", "check-code", new Dictionary<string, string> { ["Entry.Ticket"] = ticket.ToString(), ["Entry.Code"] = code });

    [Fact]
    public async Task A_code_by_email_opens_the_persons_own_plan_and_a_wrong_replayed_overtried_or_expired_code_does_not()
    {
        var (_, personId, token, email) = await PersonWithPlanAndLink(App);
        var phone = App.AnonymousClient();

        // The private link offers to set up the phone.
        Assert.Contains($"/my/setup/{token}", await phone.GetStringAsync($"my-plan/{token}"), StringComparison.Ordinal);
        var setup = WebUtility.HtmlDecode(await phone.GetStringAsync($"my/setup/{token}"));
        Assert.Contains("Set up a passkey", setup, StringComparison.Ordinal);
        Assert.Contains("An email to r…@example.org", setup, StringComparison.Ordinal);

        var (ticket, asked) = await AskForCodeByEmail(phone, token);
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("We have sent a code by email to r…@example.org.", WebUtility.HtmlDecode(await asked.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var sent = fixture.Smtp.Received().Last(m => m.To.Mailboxes.Any(a => a.Address == email));
        Assert.DoesNotContain("Robin", sent.TextBody, StringComparison.Ordinal);
        var code = CodeSentTo(email);
        // Only a hash of it is kept.
        Assert.False(await App.Read(db => db.PersonSignInCodes.AnyAsync(c => c.PersonId == personId && c.CodeHash.Contains(code))));

        // A wrong code: said beside the field, with the tries left, and audited as the person's own.
        var wrong = code == "000000" ? "111111" : "000000";
        var refused = await TypeCode(phone, token, ticket, wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("That code is not right. Check it and try again: you have 4 tries left.", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await phone.GetAsync("my")).StatusCode);

        // The right code: their own space, their plan in it.
        var accepted = await TypeCode(phone, token, ticket, code);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.EndsWith("/my", accepted.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var mine = WebUtility.HtmlDecode(await phone.GetStringAsync("my"));
        Assert.Contains("Robin's safety plan", mine, StringComparison.Ordinal);
        Assert.Contains("Not sleeping, going quiet", mine, StringComparison.Ordinal);
        Assert.Contains("Signing in on this phone", mine, StringComparison.Ordinal);
        Assert.DoesNotContain("patient", mine, StringComparison.OrdinalIgnoreCase);

        // Replayed, from another phone: used once only.
        var thief = App.AnonymousClient();
        var replayed = await TypeCode(thief, token, ticket, code);
        Assert.Contains("This code has already been used. Ask for a new one.", WebUtility.HtmlDecode(await replayed.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await thief.GetAsync("my")).StatusCode);

        // Five wrong tries, then even the right code is refused.
        var other = App.AnonymousClient();
        var (second, _) = await AskForCodeByEmail(other, token);
        var secondCode = CodeSentTo(email);
        var secondWrong = secondCode == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++)
        {
            await TypeCode(other, token, second, secondWrong);
        }

        var tooMany = await TypeCode(other, token, second, secondCode);
        Assert.Contains("That was too many tries for this code. Ask for a new one.", WebUtility.HtmlDecode(await tooMany.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync("my")).StatusCode);

        // After 10 minutes a code has expired.
        var (third, _) = await AskForCodeByEmail(other, token);
        var thirdCode = CodeSentTo(email);
        App.Clock.Advance(TimeSpan.FromMinutes(11));
        var expired = await TypeCode(other, token, third, thirdCode);
        Assert.Contains("This code has expired. Ask for a new one.", WebUtility.HtmlDecode(await expired.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync("my")).StatusCode);

        // Each step is audited; the person's own steps with the person as actor, and no name.
        var audit = await App.Read(db => db.AuditEvents.Where(a => a.PersonId == personId && a.ActorId == Aftercare.App.Actor.PersonPrefix + personId.ToString("D")).ToListAsync());
        Assert.Equal(3, audit.Count(a => a.Action == AuditAction.PersonSignInCodeSent));
        Assert.Equal(1, audit.Count(a => a.Action == AuditAction.PersonSignedIn));
        Assert.Equal(1 + 1 + 6 + 1, audit.Count(a => a.Action == AuditAction.PersonSignInCodeFailed));
        Assert.All(audit, a => Assert.DoesNotContain("Robin", a.Actor, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoking_the_persons_access_ends_their_session_at_once_and_the_link_stops_working()
    {
        var (clinician, personId, token, email) = await PersonWithPlanAndLink(App);
        var phone = App.AnonymousClient();
        var (ticket, _) = await AskForCodeByEmail(phone, token);
        Assert.Equal(HttpStatusCode.Redirect, (await TypeCode(phone, token, ticket, CodeSentTo(email))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("my")).StatusCode);

        var record = WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}"));
        Assert.Contains("Phone access", record, StringComparison.Ordinal);
        Assert.Contains("Signed in now: 1 session (with a code by email", record, StringComparison.Ordinal);

        // Not without confirming: nothing changes.
        var unconfirmed = await clinician.Post($"people/{personId}", "revoke-phone-access", []);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unconfirmed.StatusCode);
        Assert.Contains("Tick the box to confirm you want to revoke the person's access.", WebUtility.HtmlDecode(await unconfirmed.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("my")).StatusCode);

        var revoked = await clinician.Post($"people/{personId}", "revoke-phone-access", new Dictionary<string, string> { ["Confirm"] = "true" });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Contains("Access revoked.", await revoked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The very next request, with the same cookie: signed out. No clock moved, no cache waited for.
        var after = await phone.GetAsync("my");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/my/signin", after.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, (await phone.GetAsync($"my-plan/{token}")).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await phone.GetAsync($"my/setup/{token}")).StatusCode);

        // Nor can a code be had by typing the email at /my/signin: no access, no code.
        var before = fixture.Smtp.Received().Count(m => m.To.Mailboxes.Any(a => a.Address == email));
        var asked = await phone.Post("my/signin", "send-code", new Dictionary<string, string> { ["Request.Where"] = email });
        Assert.Contains("If that is the mobile number or email your care team has for you, we have sent a code to it.", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, fixture.Smtp.Received().Count(m => m.To.Mailboxes.Any(a => a.Address == email)));

        var staffId = App.User(Roles.Clinician);
        Assert.True(await App.Read(db => db.AuditEvents.AnyAsync(a => a.PersonId == personId && a.Action == AuditAction.PersonAccessRevoked && a.Actor == staffId.Email)));
    }

    [Fact]
    public async Task A_code_can_be_asked_for_at_sign_in_by_the_email_the_care_team_has_and_a_text_goes_to_the_mobile()
    {
        var (clinician, personId, token, email) = await PersonWithPlanAndLink(App);
        var phone = App.AnonymousClient();
        var asked = await phone.Post("my/signin", "send-code", new Dictionary<string, string> { ["Request.Where"] = email.ToUpperInvariant() });
        var ticket = Guid.Parse(Ticket().Match(await asked.Content.ReadAsStringAsync()).Groups[1].Value);
        var signedIn = await phone.Post("my/signin", "check-code", new Dictionary<string, string> { ["Entry.Ticket"] = ticket.ToString(), ["Entry.Code"] = CodeSentTo(email) });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains("Robin's safety plan", WebUtility.HtmlDecode(await phone.GetStringAsync("my")), StringComparison.Ordinal);

        // By text, from the link: the SMS gateway gets the code and nothing else about them.
        var mobile = App.AnonymousClient();
        var texts = fixture.Sms.Received.Count;
        var byText = await mobile.Post($"my/setup/{token}", "send-code", new Dictionary<string, string> { ["Request.Token"] = token, ["Request.How"] = "TextCode" });
        Assert.Contains("We have sent a code by text to your mobile ending", await byText.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(texts + 1, fixture.Sms.Received.Count);
        var text = fixture.Sms.Received.Last().Body;
        Assert.DoesNotContain("Robin", text, StringComparison.Ordinal);
        var textTicket = Guid.Parse(Ticket().Match(await byText.Content.ReadAsStringAsync()).Groups[1].Value);
        Assert.Equal(HttpStatusCode.Redirect, (await TypeCode(mobile, token, textTicket, SixDigits().Match(text).Groups[1].Value)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await mobile.GetAsync("my")).StatusCode);
        _ = clinician;
        _ = personId;
    }

    [Fact]
    public async Task A_staff_cookie_never_opens_the_persons_space_and_a_persons_cookie_never_opens_a_staff_page()
    {
        var (clinician, personId, token, email) = await PersonWithPlanAndLink(App);
        var staffAtMy = await clinician.GetAsync("my");
        Assert.Equal(HttpStatusCode.Redirect, staffAtMy.StatusCode);
        Assert.Contains("/my/signin", staffAtMy.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var phone = App.AnonymousClient();
        var (ticket, _) = await AskForCodeByEmail(phone, token);
        Assert.Equal(HttpStatusCode.Redirect, (await TypeCode(phone, token, ticket, CodeSentTo(email))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("my")).StatusCode);

        // The authorisation matrix, for the person: every page and endpoint of a record, their own
        // included, refuses their cookie; so do the worklist and the API.
        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetOrderedMetadata<RecordOfAttribute>().Count > 0).ToList();
        Assert.NotEmpty(endpoints);
        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = endpoint.RoutePattern.RawText!;
            foreach (var parameter in endpoint.RoutePattern.Parameters)
            {
                path = path.Replace($"{{{parameter.Name}:guid}}", personId.ToString(), StringComparison.Ordinal);
            }

            var response = await phone.GetAsync(path.TrimStart('/'));
            var refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound
                || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/signin", StringComparison.Ordinal)
                    && !response.Headers.Location!.OriginalString.Contains("/my/", StringComparison.Ordinal));
            if (!refused)
            {
                failures.Add($"GET {path}: {(int)response.StatusCode} {response.Headers.Location}");
            }
        }

        foreach (var page in new[] { "worklist", "people", $"people/{personId}", "audit" })
        {
            var response = await phone.GetAsync(page);
            if (response.StatusCode != HttpStatusCode.Redirect || !response.Headers.Location!.OriginalString.Contains("/signin", StringComparison.Ordinal) || response.Headers.Location!.OriginalString.Contains("/my/", StringComparison.Ordinal))
            {
                failures.Add($"GET {page}: {(int)response.StatusCode} {response.Headers.Location}");
            }
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync($"api/people/{personId}")).StatusCode);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Signing_in_with_a_code_leaves_no_code_address_or_name_in_the_log()
    {
        var logs = new CapturedLogs();
        await using var app = new AftercareApplication(new()
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
            ["Aftercare:Messaging:Smtp:Host"] = "127.0.0.1",
            ["Aftercare:Messaging:Smtp:Port"] = fixture.Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, logs: logs);
        await app.InitializeAsync();
        var given = $"Zephyrine{Guid.NewGuid().ToString("N")[..6]}";
        var (_, _, token, email) = await PersonWithPlanAndLink(app, given);
        var phone = app.AnonymousClient();
        var (ticket, _) = await AskForCodeByEmail(phone, token);
        var code = CodeSentTo(email);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TypeCode(phone, token, ticket, code == "000000" ? "111111" : "000000")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await TypeCode(phone, token, ticket, code)).StatusCode);
        Assert.Contains(given, await phone.GetStringAsync("my"), StringComparison.Ordinal);

        var all = logs.All;
        Assert.NotEmpty(all);
        Assert.DoesNotMatch($"(?<![0-9A-Fa-f]){code}(?![0-9A-Fa-f])", all);
        Assert.DoesNotContain(email, all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(given, all, StringComparison.Ordinal);
    }
}
