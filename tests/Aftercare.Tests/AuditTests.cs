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

        var html = await admin.GetStringAsync($"audit?personId={person}");
        Assert.Contains("PersonViewed", html, StringComparison.Ordinal);
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
}
