using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App.Programme;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>The aftercare programme through the real pipeline: enrolment, worklist, contacts, escalation, closing.</summary>
public sealed class ProgrammeTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private async Task<(HttpClient Client, Guid PersonId, Guid PresentationId)> Presented(string dob = "1990-05-01")
    {
        var client = await app.ClientFor(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), AftercareApplication.Now.AddHours(-8), newPerson: Requests.NewPerson(Requests.NewMrn(), dob: dob)));
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentationId = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        return (client, personId, presentationId);
    }

    [Fact]
    public async Task Rule11_Enrolment_puts_a_first_contact_within_48_hours_on_the_worklist_and_not_answering_escalates_it()
    {
        var (client, personId, presentationId) = await Presented();
        var offer = await client.GetStringAsync($"presentations/{presentationId}/aftercare");
        Assert.Contains("First contact with mental-health care (18 to 64, no prior contact)</strong> (suggested)", offer, StringComparison.Ordinal);

        var enrolled = await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = "2026-11-20T08:00",
            ["pathwayId"] = "first-contact",
        });
        Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
        var episode = await app.Read(db => db.Episodes.Include(e => e.Contacts).SingleAsync(e => e.PersonId == personId));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero), episode.FirstContactDueBy);
        var first = episode.Contacts.Single(c => c.Kind == ContactKind.FirstContact);

        var worker = await app.ClientFor(Roles.AftercareWorker);
        var worklist = await worker.GetStringAsync("worklist");
        Assert.Contains($"/contacts/{first.Id}", worklist, StringComparison.Ordinal);

        for (var i = 0; i < 3; i++)
        {
            var version = await app.Read(db => db.Contacts.Where(c => c.Id == first.Id).Select(c => c.Version).SingleAsync());
            var tried = await worker.Post($"contacts/{first.Id}", "contact", new Dictionary<string, string>
            {
                ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["at"] = "2026-11-20T09:30",
                ["channel"] = "Phone",
                ["outcome"] = "NotReached",
            });
            Assert.Equal(HttpStatusCode.Redirect, tried.StatusCode);
        }

        var escalated = await app.Read(db => db.Contacts.SingleAsync(c => c.Id == first.Id));
        Assert.NotNull(escalated.EscalatedAt);
        Assert.Equal(ContactStatus.Due, escalated.Status);
        var after = await worker.GetStringAsync("worklist");
        var escalatedSection = after[after.IndexOf("Escalated to the care team", StringComparison.Ordinal)..];
        Assert.Contains($"/contacts/{first.Id}", escalatedSection, StringComparison.Ordinal);
        Assert.Equal(EpisodeStatus.Active, await app.Read(db => db.Episodes.Where(e => e.PersonId == personId).Select(e => e.Status).SingleAsync()));
    }

    [Fact]
    public async Task A_reached_contact_is_done_a_stale_recording_is_refused_and_an_episode_closes_only_with_a_reason()
    {
        var (client, personId, presentationId) = await Presented("1970-01-01");
        await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string> { ["dischargedAt"] = "2026-11-20T08:00", ["pathwayId"] = "first-contact" });
        var contact = await app.Read(db => db.Contacts.SingleAsync(c => c.PersonId == personId && c.Kind == ContactKind.FirstContact));
        var fields = new Dictionary<string, string>
        {
            ["version"] = "0", ["at"] = "2026-11-20T09:30", ["channel"] = "Phone", ["outcome"] = "Reached",
            ["howTheyAreFeeling"] = "Tired, a bit calmer", ["whatIsGoingOn"] = "Back at work on Monday", ["nextContactAt"] = "2026-11-24T11:00",
        };
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"contacts/{contact.Id}", "contact", fields)).StatusCode);
        Assert.Equal(ContactStatus.Done, await app.Read(db => db.Contacts.Where(c => c.Id == contact.Id).Select(c => c.Status).SingleAsync()));
        Assert.True(await app.Read(db => db.Contacts.AnyAsync(c => c.PersonId == personId && c.Kind == ContactKind.Extra)));

        var episodeId = await app.Read(db => db.Episodes.Where(e => e.PersonId == personId).Select(e => e.Id).SingleAsync());
        var refused = await client.Post($"people/{personId}", $"close-{episodeId}", new Dictionary<string, string> { ["episodeId"] = episodeId.ToString(), ["reason"] = "" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("Choose why the episode is closing", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var closed = await client.Post($"people/{personId}", $"close-{episodeId}", new Dictionary<string, string> { ["episodeId"] = episodeId.ToString(), ["reason"] = "Transferred", ["note"] = "To the community team" });
        Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        Assert.Equal(EpisodeCloseReason.Transferred, await app.Read(db => db.Episodes.Where(e => e.Id == episodeId).Select(e => e.CloseReason).SingleAsync()));
    }

    [Fact]
    public async Task A_reached_contact_shows_the_whole_check_in_on_the_contact_and_on_the_person_page()
    {
        var (client, personId, presentationId) = await Presented("1985-03-14");
        await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string> { ["dischargedAt"] = "2026-11-20T08:00", ["pathwayId"] = "first-contact" });
        var contact = await app.Read(db => db.Contacts.SingleAsync(c => c.PersonId == personId && c.Kind == ContactKind.FirstContact));
        var fields = new Dictionary<string, string>
        {
            ["version"] = "0", ["at"] = "2026-11-20T09:30", ["channel"] = "Phone", ["outcome"] = "Reached",
            ["howTheyAreFeeling"] = "Shaky but glad someone rang",
            ["whatIsGoingOn"] = "Staying with her brother while the flat is sorted",
            ["notes"] = "Agreed to try the peer support group on Thursday",
        };
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"contacts/{contact.Id}", "contact", fields)).StatusCode);

        foreach (var page in new[] { $"contacts/{contact.Id}", $"people/{personId}" })
        {
            var html = await client.GetStringAsync(page);
            Assert.Contains("Shaky but glad someone rang", html, StringComparison.Ordinal);
            Assert.Contains("Staying with her brother while the flat is sorted", html, StringComparison.Ordinal);
            Assert.Contains("Agreed to try the peer support group on Thursday", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_therapy_session_before_the_course_starts_is_refused_with_the_start_date()
    {
        var (client, personId, _) = await Presented("1992-07-09");
        var planned = await client.Post($"people/{personId}", "therapy", new Dictionary<string, string>
        {
            ["type"] = "CbtInformed", ["plannedSessions"] = "6", ["startsOn"] = "2026-12-01",
            ["therapist"] = "Sam Example", ["therapistTraining"] = "CBT diploma", ["supervision"] = "Fortnightly with the lead psychologist",
        });
        Assert.Equal(HttpStatusCode.Redirect, planned.StatusCode);
        var courseId = await app.Read(db => db.TherapyCourses.Where(c => c.PersonId == personId).Select(c => c.Id).SingleAsync());

        // Today is 20 November 2026 on the test clock: eleven days before the course starts.
        var early = await client.Post($"people/{personId}", $"session-{courseId}", new Dictionary<string, string> { ["courseId"] = courseId.ToString() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, early.StatusCode);
        Assert.Contains("This course starts on 1 December 2026", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await app.Read(db => db.TherapyCourses.Where(c => c.Id == courseId).Select(c => c.SessionsAttended).SingleAsync()));
    }

    [Fact]
    public async Task An_unknown_setting_in_the_pathway_file_stops_the_server_and_names_the_line()
    {
        var good = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "pathways.json"));
        var bad = good.Replace("\"involveFamily\": true,", "\"involveFamily\": true, \"sendPigeons\": true,", StringComparison.Ordinal);
        var line = bad[..bad.IndexOf("sendPigeons", StringComparison.Ordinal)].Count(c => c == '\n') + 1;
        var file = Path.Combine(Path.GetTempPath(), $"pathways-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, bad);
        try
        {
            Assert.Throws<PathwayFileException>(() => PathwayFile.Load(file));
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, Environment = { ["Aftercare__PathwaysFile"] = file } };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "aftercare.dll"), "migrate", "--db", app.Database })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.NotEqual(0, process.ExitCode);
            Assert.Contains($"line {line}", error, StringComparison.Ordinal);
            Assert.Contains("sendPigeons", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
