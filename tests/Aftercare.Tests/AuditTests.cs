using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App.Audit;
using Aftercare.App.Data;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

public sealed class AuditTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    [Fact]
    public async Task Registering_and_viewing_a_record_write_who_what_when_and_why()
    {
        var client = await app.ClientFor(Roles.Clinician);
        var clinician = app.User(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-3), newPerson: Requests.NewPerson(Requests.NewMrn())));
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        await client.GetStringAsync($"people/{personId}");

        var events = await app.AuditFor(personId);
        Assert.Equal([AuditAction.PersonRegistered, AuditAction.PresentationRegistered, AuditAction.PersonViewed], events.Select(e => e.Action).ToArray());
        Assert.All(events, e =>
        {
            Assert.Equal(clinician.Email, e.Actor);
            Assert.Equal(AuditPurpose.DirectCare, e.Purpose);
            Assert.Equal(AftercareApplication.Now, e.At);
        });
        var presentationId = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        Assert.Equal(presentationId.ToString(), events[1].EntityId);
    }

    [Fact]
    public async Task An_audit_event_commits_with_its_write_or_not_at_all()
    {
        var before = await app.AuditCount();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
            var site = await db.Sites.Select(s => s.Id).FirstAsync();
            var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
            // A presentation for a person who does not exist: the database refuses it.
            var orphan = Presentation.Register(Guid.NewGuid(), new DateOnly(1990, 1, 1),
                new PresentationDetails(AftercareApplication.Now.AddHours(-1), site, [SelfHarmMethod.Unspecified], YesNoUnknown.No, YesNoUnknown.No, null, Disposition.Discharged, null),
                [site], "test", AftercareApplication.Now).Value;
            db.Presentations.Add(orphan);
            db.Audit(clock, new App.Actor("test", "test@example.org", []), AuditAction.PresentationRegistered, AuditPurpose.DirectCare, orphan.PersonId);
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        Assert.Equal(before, await app.AuditCount());
    }

    [Fact]
    public async Task Administrators_search_the_audit_and_others_cannot()
    {
        var clinician = await app.ClientFor(Roles.Clinician);
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        await clinician.GetStringAsync($"people/{person}");

        var admin = await app.ClientFor(Roles.Administrator);
        var page = await admin.GetFromJsonAsync<JsonElement>($"api/audit?personId={person}&action=PersonViewed");
        var rows = page.GetProperty("rows").EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(person, r.GetProperty("personId").GetGuid()));
        Assert.Contains(rows, r => r.GetProperty("actor").GetString() == app.User(Roles.Clinician).Email);

        // Actions read as words, not code names.
        var html = await admin.GetStringAsync($"audit?personId={person}");
        Assert.Contains("<td>Record opened</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">PersonViewed<", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await clinician.GetAsync("api/audit")).StatusCode);
        var denied = await clinician.GetAsync("audit");
        Assert.Equal("/denied", denied.Headers.Location?.AbsolutePath);
    }

    [Fact]
    public async Task Searching_for_a_person_is_audited_without_what_was_typed()
    {
        var client = await app.ClientFor(Roles.Therapist);
        var before = await app.Read(db => db.AuditEvents.CountAsync(a => a.Action == AuditAction.PeopleSearched));
        await client.PostAsJsonAsync("api/people/search", new { identifierKind = "Mrn", name = "Fictional" });
        var events = await app.Read(db => db.AuditEvents.Where(a => a.Action == AuditAction.PeopleSearched).ToListAsync());
        Assert.Equal(before + 1, events.Count);
        Assert.DoesNotContain(events, e => (e.EntityId ?? "").Contains("Fictional", StringComparison.Ordinal));
    }

    private async Task<(Guid Person, string Nhs, string Mrn)> RegisteredWithNhsNumber(HttpClient client)
    {
        var nhs = NhsNumber();
        var mrn = Requests.NewMrn();
        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-3), newPerson: Requests.NewPerson(mrn, nhs: nhs)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid(), nhs, mrn);
    }

    /// <summary>A valid NHS number not yet used in this database.</summary>
    private static string NhsNumber() => Requests.NewNhsNumber();

    [Fact]
    public async Task An_audit_search_by_NHS_number_finds_the_persons_events_without_the_number_in_the_address()
    {
        var clinician = await app.ClientFor(Roles.Clinician);
        var (person, nhs, mrn) = await RegisteredWithNhsNumber(clinician);
        await clinician.GetStringAsync($"people/{person}");
        var admin = await app.ClientFor(Roles.Administrator);

        // Typed as people type it, with spaces: posted, resolved to the person, and only their record id in the address.
        var spaced = $"{nhs[..3]} {nhs[3..6]} {nhs[6..]}";
        var found = await admin.Post("audit", "audit-search", new Dictionary<string, string> { ["identifier"] = spaced });
        Assert.Equal(HttpStatusCode.Redirect, found.StatusCode);
        var address = found.Headers.Location!.OriginalString;
        Assert.DoesNotContain(nhs, address.Replace("%20", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(nhs[..3], address, StringComparison.Ordinal);
        Assert.Contains($"personId={person}", address, StringComparison.Ordinal);

        var html = await admin.GetStringAsync(address.TrimStart('/'));
        Assert.Contains("<td>Record opened</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>Person registered</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(nhs, html, StringComparison.Ordinal);

        // The MRN works the same way; one no one has is said so, and nothing is searched.
        var byMrn = await admin.Post("audit", "audit-search", new Dictionary<string, string> { ["identifier"] = mrn.ToLowerInvariant() });
        Assert.Contains($"personId={person}", byMrn.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var unknown = await admin.Post("audit", "audit-search", new Dictionary<string, string> { ["identifier"] = "NOBODY-" + Requests.NewMrn() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Contains("No one has that MRN or NHS number.", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_audit_search_by_user_and_dates_shows_only_that_users_events_in_those_days()
    {
        var therapist = await app.ClientFor(Roles.Therapist);
        var person = await app.Read(db => db.People.OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());
        await therapist.GetAsync($"people/{person}");
        var email = app.User(Roles.Therapist).Email;
        var admin = await app.ClientFor(Roles.Administrator);
        var day = AftercareApplication.Now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var found = await admin.Post("audit", "audit-search", new Dictionary<string, string> { ["actor"] = email, ["from"] = day, ["to"] = day });
        Assert.Equal(HttpStatusCode.Redirect, found.StatusCode);
        var html = await admin.GetStringAsync(found.Headers.Location!.OriginalString.TrimStart('/'));
        var users = System.Text.RegularExpressions.Regex.Matches(html, @"<tr>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(users);
        Assert.All(users, u => Assert.Equal(email, u));

        // The day before has none of today's; an end before the start is refused.
        var before = AftercareApplication.Now.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var none = await admin.GetStringAsync($"audit?actor={Uri.EscapeDataString(email)}&to={before}");
        Assert.Contains("No events match.", none, StringComparison.Ordinal);
        var backwards = await admin.Post("audit", "audit-search", new Dictionary<string, string> { ["from"] = day, ["to"] = before });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, backwards.StatusCode);
        Assert.Contains("The end date is before the start date.", await backwards.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_privacy_lead_reads_the_audit_and_a_clinician_still_cannot()
    {
        var lead = await app.ClientFor(Roles.PrivacyLead);
        Assert.Equal(HttpStatusCode.OK, (await lead.GetAsync("audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await lead.GetAsync("api/audit")).StatusCode);
        Assert.Contains("href=\"/audit\"", await lead.GetStringAsync(""), StringComparison.Ordinal);
        var clinician = await app.ClientFor(Roles.Clinician);
        Assert.Equal(HttpStatusCode.Forbidden, (await clinician.GetAsync("api/audit")).StatusCode);
        Assert.Equal("/denied", (await clinician.GetAsync("audit")).Headers.Location?.AbsolutePath);
    }

    [Fact]
    public async Task Recording_a_contact_audits_the_page_read_once_and_the_record_once()
    {
        var (personId, contactId) = await app.FirstContactDue();
        var worker = await app.ClientFor(Roles.AftercareWorker);
        var before = (await app.AuditFor(personId)).Count;

        // The worker opens the contact (one read) and records it (one write): the post does not read it again.
        var recorded = await worker.Post($"contacts/{contactId}", "contact", new Dictionary<string, string>
        {
            ["version"] = "0", ["at"] = "2026-11-20T09:55", ["channel"] = "Phone", ["outcome"] = "NotReached",
        });

        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        Assert.Equal([AuditAction.DocumentViewed, AuditAction.ContactRecorded], (await app.AuditFor(personId)).Skip(before).Select(e => e.Action).ToArray());
    }

    [Fact]
    public async Task A_refused_contact_audits_one_read_of_the_page_it_shows_again_and_no_record()
    {
        var (personId, contactId) = await app.FirstContactDue();
        var worker = await app.ClientFor(Roles.AftercareWorker);
        var before = (await app.AuditFor(personId)).Count;

        var refused = await worker.Post($"contacts/{contactId}", "contact", new Dictionary<string, string>
        {
            ["version"] = "0", ["at"] = "not a time", ["channel"] = "Phone", ["outcome"] = "Reached",
        });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal([AuditAction.DocumentViewed, AuditAction.DocumentViewed], (await app.AuditFor(personId)).Skip(before).Select(e => e.Action).ToArray());
    }

    [Fact]
    public async Task Saving_an_assessment_audits_the_page_read_once_and_the_save_once()
    {
        var (client, personId, presentationId) = await app.Presented();
        var before = (await app.AuditFor(personId)).Count;

        var saved = await client.Post($"presentations/{presentationId}/assessment", "assessment", PlansTests.Assessment(0, "draft"));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal([AuditAction.DocumentViewed, AuditAction.AssessmentSaved], (await app.AuditFor(personId)).Skip(before).Select(e => e.Action).ToArray());
    }

    [Fact]
    public void Every_audit_action_reads_as_words()
    {
        foreach (var action in Enum.GetValues<AuditAction>())
        {
            var label = AuditWords.Label(action);
            Assert.NotEqual(action.ToString(), label);
            Assert.Matches("^[A-Z]", label);
            Assert.DoesNotMatch("[a-z][A-Z]", label);
        }

        Assert.Equal("Emergency access reviewed", AuditWords.Label(AuditAction.BreakGlassReviewed));
    }
}
