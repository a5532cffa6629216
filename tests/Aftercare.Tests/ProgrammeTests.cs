using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App;
using Aftercare.App.Programme;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>The aftercare programme through the real pipeline: enrolment, worklist, contacts, escalation, closing.</summary>
public sealed class ProgrammeTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    private async Task<(HttpClient Client, Guid PersonId, Guid PresentationId)> Presented(string dob = "1990-05-01", DateTimeOffset? arrivedAt = null)
    {
        var client = await app.ClientFor(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/presentations",
            Requests.Presentation(await app.SiteId(), arrivedAt ?? AftercareApplication.Now.AddHours(-8), newPerson: Requests.NewPerson(Requests.NewMrn(), dob: dob)));
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var presentationId = await app.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        return (client, personId, presentationId);
    }

    /// <summary>The person comes back: another presentation, the one a restart comes from.</summary>
    private async Task<Guid> PresentsAgain(HttpClient client, Guid personId, DateTimeOffset arrivedAt)
    {
        var response = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(await app.SiteId(), arrivedAt, personId: personId));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("presentationId").GetGuid();
    }

    private static string Local(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A 36-year-old with no prior contact with mental-health services, enrolled three days ago on the first-contact pathway (texts preferred).</summary>
    private async Task<(HttpClient Client, Guid PersonId, Guid EpisodeId)> EnrolledThreeDaysAgo()
    {
        var arrived = AftercareApplication.Now.AddDays(-3);
        var (client, personId, presentationId) = await Presented("1990-05-01", arrived);
        var enrolled = await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = Local(arrived.AddHours(6)), ["pathwayId"] = "first-contact", ["preference"] = "NonClinical",
        });
        Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
        var episodeId = await app.Read(db => db.Episodes.Where(e => e.PersonId == personId).Select(e => e.Id).SingleAsync());
        return (client, personId, episodeId);
    }

    [Fact]
    public async Task The_navigation_badge_shows_as_many_items_as_the_worklist_lists()
    {
        // A known set on top of whatever this class has made: a first contact due, and contacts from three days ago.
        var (client, personId, presentationId) = await Presented();
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = Local(AftercareApplication.Now.AddHours(-2)), ["pathwayId"] = "first-contact", ["preference"] = "NoPreference",
        })).StatusCode);
        var (_, older, _) = await EnrolledThreeDaysAgo();
        var worker = await app.ClientFor(Roles.AftercareWorker);

        var worklist = await worker.GetStringAsync("worklist");

        var items = System.Text.RegularExpressions.Regex.Count(worklist, "href=\"/(contacts|referrals)/[0-9a-f-]{36}\"");
        var badge = System.Text.RegularExpressions.Regex.Match(worklist, "class=\"badge\" aria-label=\"(\\d+) items\"").Groups[1].Value;
        foreach (var person in new[] { personId, older })
        {
            var due = await app.Read(db => db.Contacts.Where(c => c.PersonId == person && c.Status == ContactStatus.Due).OrderBy(c => c.DueAt).Select(c => c.Id).FirstAsync());
            Assert.Contains($"/contacts/{due}", worklist, StringComparison.Ordinal);
        }

        Assert.Equal(items.ToString(System.Globalization.CultureInfo.InvariantCulture), badge);
        Assert.Contains($"class=\"badge\" aria-label=\"{items} items\"", await worker.GetStringAsync("people"), StringComparison.Ordinal);

        // Shown one site's only (here a site with none of them), the lists are empty and the badge still counts every site's.
        var oneSite = await worker.GetStringAsync($"worklist?site={Guid.NewGuid()}");
        Assert.DoesNotMatch("href=\"/contacts/[0-9a-f-]{36}\"", oneSite);
        Assert.Contains($"class=\"badge\" aria-label=\"{items} items\"", oneSite, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restart_on_another_pathway_without_a_reason_is_refused_and_changes_nothing()
    {
        var (client, personId, episodeId) = await EnrolledThreeDaysAgo();
        var again = await PresentsAgain(client, personId, AftercareApplication.Now.AddHours(-8));
        var offer = await client.GetStringAsync($"presentations/{again}/aftercare");
        // docs/domain.md rule 12, as at enrolment: a 36-year-old with no prior contact is offered the first-contact pathway.
        Assert.Contains("First contact with mental-health care (18 to 64, no prior contact)</strong> (suggested)", offer, StringComparison.Ordinal);
        Assert.DoesNotContain("Young people (under 18)</strong> (suggested)", offer, StringComparison.Ordinal);
        var waiting = await app.Read(db => db.OutboxMessages.CountAsync(m => m.EpisodeId == episodeId && m.Status == Aftercare.Domain.Messaging.MessageStatus.Pending));

        var refused = await client.Post($"presentations/{again}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = Local(AftercareApplication.Now.AddHours(-2)), ["pathwayId"] = "young-people", ["preference"] = "NoPreference",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("You chose another pathway than the one suggested (First contact with mental-health care (18 to 64, no prior contact)): say why.",
            WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        var episode = await app.Read(db => db.Episodes.Include(e => e.Contacts).SingleAsync(e => e.Id == episodeId));
        Assert.Equal("first-contact", episode.PathwayId);
        Assert.Equal(0, episode.ReEngagements);
        Assert.DoesNotContain(episode.Contacts, c => c.Status == ContactStatus.Superseded);
        Assert.Equal(waiting, await app.Read(db => db.OutboxMessages.CountAsync(m => m.EpisodeId == episodeId && m.Status == Aftercare.Domain.Messaging.MessageStatus.Pending)));
        Assert.False(await app.Read(db => db.Referrals.AnyAsync(r => r.PersonId == personId && db.Services.Any(s => s.Id == r.ServiceId && s.Code == "camhs"))));
    }

    [Fact]
    public async Task A_restart_says_what_it_stops_and_starts_and_then_the_person_is_on_the_chosen_pathway_with_its_messages_and_referrals()
    {
        var (client, personId, episodeId) = await EnrolledThreeDaysAgo();
        var oldMessages = await app.Read(db => db.OutboxMessages.Where(m => m.EpisodeId == episodeId && m.Status == Aftercare.Domain.Messaging.MessageStatus.Pending).Select(m => m.Id).ToListAsync());
        Assert.NotEmpty(oldMessages);
        var again = await PresentsAgain(client, personId, AftercareApplication.Now.AddHours(-8));

        var offer = WebUtility.HtmlDecode(await client.GetStringAsync($"presentations/{again}/aftercare"));
        Assert.Contains("Restarting stops:", offer, StringComparison.Ordinal);
        Assert.Contains($"{Words.Count(oldMessages.Count, "caring message")} waiting to be sent (not sent: the schedule was restarted)", offer, StringComparison.Ordinal);
        Assert.Contains("A referral to CAMHS", offer, StringComparison.Ordinal);
        // The referral made at enrolment is still open: the same pathway would not send a second.
        Assert.Contains("No new referral to NHS Talking Therapies: one is open since 20 Nov 2026", offer, StringComparison.Ordinal);
        Assert.Contains("3 caring messages by text message to 07700 900123, on days 3, 30, 90", offer, StringComparison.Ordinal);

        var discharged = AftercareApplication.Now.AddHours(-2);
        var restarted = await client.Post($"presentations/{again}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = Local(discharged), ["pathwayId"] = "young-people", ["preference"] = "Clinical",
            ["reason"] = "Lives with her parents again and wants them involved, as the young people's pathway does",
        });
        Assert.Equal(HttpStatusCode.Redirect, restarted.StatusCode);

        var episode = await app.Read(db => db.Episodes.Include(e => e.Contacts).SingleAsync(e => e.Id == episodeId));
        Assert.Equal(("young-people", 1), (episode.PathwayId, episode.ReEngagements));
        Assert.Equal(discharged.AddHours(24), episode.FirstContactDueBy);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"people/{personId}"));
        Assert.Contains("<h3>Young people (under 18): active</h3>", page, StringComparison.Ordinal);
        Assert.Contains("Pathway chosen over the suggested one because: Lives with her parents again", page, StringComparison.Ordinal);

        var messages = await app.Read(db => db.OutboxMessages.AsNoTracking().Where(m => m.EpisodeId == episodeId).ToListAsync());
        Assert.All(messages.Where(m => oldMessages.Contains(m.Id)), m => Assert.Equal((Aftercare.Domain.Messaging.MessageStatus.Cancelled, nameof(Aftercare.Domain.Messaging.NotSentBecause.ScheduleRestarted)), (m.Status, m.LastError)));
        var fresh = messages.Where(m => !oldMessages.Contains(m.Id)).ToList();
        Assert.Equal(3, fresh.Count);
        Assert.All(fresh, m => Assert.Equal(Aftercare.Domain.Messaging.MessageStatus.Pending, m.Status));
        var camhs = await app.Read(db => db.Referrals.Where(r => r.PersonId == personId && db.Services.Any(s => s.Id == r.ServiceId && s.Code == "camhs")).SingleAsync());
        Assert.Equal(Aftercare.Domain.Referrals.ServicePreference.Clinical, camhs.Preference);
    }

    [Fact]
    public async Task A_presentation_older_than_the_aftercare_schedule_offers_no_restart_and_a_posted_one_is_refused()
    {
        var arrivedFirst = AftercareApplication.Now.AddDays(-3);
        var (client, personId, older) = await Presented("1990-05-01", arrivedFirst);
        var newer = await PresentsAgain(client, personId, AftercareApplication.Now.AddHours(-8));
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"presentations/{newer}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = Local(AftercareApplication.Now.AddHours(-2)), ["pathwayId"] = "first-contact", ["preference"] = "NoPreference",
        })).StatusCode);

        var offer = WebUtility.HtmlDecode(await client.GetStringAsync($"presentations/{older}/aftercare"));
        Assert.Contains("is in aftercare from a later discharge", offer, StringComparison.Ordinal);
        Assert.DoesNotContain("Restart the schedule", offer, StringComparison.Ordinal);

        // A post made anyway (an old tab, a script), with a valid token from the person's record.
        var token = System.Text.RegularExpressions.Regex.Match(await client.GetStringAsync($"people/{personId}"), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var posted = await client.PostAsync($"presentations/{older}/aftercare", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "enrol", ["__RequestVerificationToken"] = token,
            ["dischargedAt"] = Local(arrivedFirst.AddHours(5)), ["pathwayId"] = "first-contact", ["preference"] = "NoPreference",
        }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, posted.StatusCode);
        Assert.Contains("is in aftercare from a later discharge (Fri 20 Nov 2026, 08:00): only a presentation after it can restart the schedule.",
            WebUtility.HtmlDecode(await posted.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var episode = await app.Read(db => db.Episodes.Include(e => e.Contacts).SingleAsync(e => e.PersonId == personId));
        Assert.Equal((0, newer), (episode.ReEngagements, episode.PresentationId));
        Assert.DoesNotContain(episode.Contacts, c => c.Status == ContactStatus.Superseded);
    }

    [Fact]
    public async Task The_enrol_page_says_what_it_will_start_and_enrolment_waits_for_the_persons_preference()
    {
        var (client, personId, presentationId) = await Presented("1988-02-11");
        var offer = WebUtility.HtmlDecode(await client.GetStringAsync($"presentations/{presentationId}/aftercare"));
        Assert.Contains("4 caring messages by text message to 07700 900123, on days 2, 14, 60, 120", offer, StringComparison.Ordinal);
        Assert.Contains("A referral to NHS Talking Therapies", offer, StringComparison.Ordinal);
        Assert.Contains("They have no preference", offer, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"preference\" value=\"NoPreference\" checked", offer, StringComparison.Ordinal);

        var unasked = await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = "2026-11-20T08:00", ["pathwayId"] = "first-contact",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unasked.StatusCode);
        Assert.Contains("Ask what kind of service the person would prefer for the referral to NHS Talking Therapies", WebUtility.HtmlDecode(await unasked.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.False(await app.Read(db => db.Episodes.AnyAsync(e => e.PersonId == personId)));

        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = "2026-11-20T08:00", ["pathwayId"] = "first-contact", ["preference"] = "NonClinical",
        })).StatusCode);
        Assert.Equal(Aftercare.Domain.Referrals.ServicePreference.NonClinical, await app.Read(db => db.Referrals.Where(r => r.PersonId == personId).Select(r => r.Preference).SingleAsync()));
    }

    [Fact]
    public async Task A_first_contact_on_the_worklist_shows_the_hours_left_to_its_deadline_or_how_late_it_is()
    {
        // Discharged at 03:00 today: the 48 hours end at 03:00 on Sunday, 41 hours from now (10:00).
        var (client, soonId, soon) = await Presented("1979-06-30");
        await client.Post($"presentations/{soon}/aftercare", "enrol", new Dictionary<string, string> { ["dischargedAt"] = "2026-11-20T03:00", ["pathwayId"] = "first-contact", ["preference"] = "NoPreference" });
        // Discharged at 11:00 three days ago: the deadline was 11:00 yesterday, 23 hours ago.
        var (_, lateId, late) = await Presented("1981-01-15", AftercareApplication.Now.AddDays(-3));
        await client.Post($"presentations/{late}/aftercare", "enrol", new Dictionary<string, string> { ["dischargedAt"] = "2026-11-17T11:00", ["pathwayId"] = "first-contact", ["preference"] = "NoPreference" });

        var worker = await app.ClientFor(Roles.AftercareWorker);
        var worklist = WebUtility.HtmlDecode(await worker.GetStringAsync("worklist"));
        var firstContacts = await app.Read(db => db.Contacts.Where(c => (c.PersonId == soonId || c.PersonId == lateId) && c.Kind == ContactKind.FirstContact).ToDictionaryAsync(c => c.PersonId, c => c.Id));
        string Row(Guid personId)
        {
            var contactId = firstContacts[personId];
            var at = worklist.IndexOf($"/contacts/{contactId}", StringComparison.Ordinal);
            Assert.True(at > 0, "the first contact is on the worklist");
            return worklist[at..worklist.IndexOf("</tr>", at, StringComparison.Ordinal)];
        }

        Assert.Contains("Sun 22 Nov 2026, 03:00", Row(soonId), StringComparison.Ordinal);
        Assert.Contains("Deadline: <strong>41 hours left</strong>", Row(soonId), StringComparison.Ordinal);
        Assert.Contains("<strong>overdue by 23 hours</strong>", Row(lateId), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_contact_not_reached_is_tried_again_before_its_deadline_not_a_day_later()
    {
        // Discharged 30 hours ago: 18 hours are left; a retry 24 hours on would miss the deadline.
        var (client, personId, presentationId) = await Presented("1983-09-09", AftercareApplication.Now.AddDays(-3));
        await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string> { ["dischargedAt"] = Local(AftercareApplication.Now.AddHours(-30)), ["pathwayId"] = "first-contact", ["preference"] = "NoPreference" });
        var contact = await app.Read(db => db.Contacts.SingleAsync(c => c.PersonId == personId && c.Kind == ContactKind.FirstContact));
        var worker = await app.ClientFor(Roles.AftercareWorker);
        var tried = await worker.Post($"contacts/{contact.Id}", "contact", new Dictionary<string, string> { ["version"] = "0", ["at"] = "2026-11-20T09:55", ["channel"] = "Phone", ["outcome"] = "NotReached" });
        Assert.Equal(HttpStatusCode.Redirect, tried.StatusCode);

        var after = await app.Read(db => db.Contacts.SingleAsync(c => c.Id == contact.Id));
        Assert.Equal(AftercareApplication.Now.AddHours(9), after.DueAt);
        Assert.True(after.DueAt < after.Deadline);
        var page = WebUtility.HtmlDecode(await worker.GetStringAsync($"contacts/{contact.Id}?recorded=1"));
        Assert.Contains("Try again by Fri 20 Nov 2026, 19:00.", page, StringComparison.Ordinal);
        Assert.Contains("Due; not reached once", page, StringComparison.Ordinal);
        Assert.Contains("18 hours left", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tries_not_reached_a_minute_apart_are_refused_without_a_reason_and_do_not_escalate()
    {
        var (client, personId, presentationId) = await Presented("1975-12-01");
        await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string> { ["dischargedAt"] = "2026-11-20T08:00", ["pathwayId"] = "first-contact", ["preference"] = "NoPreference" });
        var contact = await app.Read(db => db.Contacts.SingleAsync(c => c.PersonId == personId && c.Kind == ContactKind.FirstContact));
        var worker = await app.ClientFor(Roles.AftercareWorker);
        Dictionary<string, string> Try(string version, string at, string? why = null)
        {
            var fields = new Dictionary<string, string> { ["version"] = version, ["at"] = at, ["channel"] = "Phone", ["outcome"] = "NotReached" };
            if (why is not null)
            {
                fields["whyTriedAgainSoon"] = why;
            }

            return fields;
        }

        Assert.Equal(HttpStatusCode.Redirect, (await worker.Post($"contacts/{contact.Id}", "contact", Try("0", "2026-11-20T09:58"))).StatusCode);
        Assert.Contains("Why are you trying again within 15 minutes of the last try?", WebUtility.HtmlDecode(await worker.GetStringAsync($"contacts/{contact.Id}")), StringComparison.Ordinal);
        var refused = await worker.Post($"contacts/{contact.Id}", "contact", Try("1", "2026-11-20T09:59"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("This try is within 15 minutes of the last one", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await app.Read(db => db.Contacts.Where(c => c.Id == contact.Id).Select(c => c.NotReachedCount).SingleAsync()));

        Assert.Equal(HttpStatusCode.Redirect, (await worker.Post($"contacts/{contact.Id}", "contact", Try("1", "2026-11-20T09:59", "Tried his mobile as well as the landline"))).StatusCode);
        var page = WebUtility.HtmlDecode(await worker.GetStringAsync($"contacts/{contact.Id}"));
        Assert.Contains("Tried his mobile as well as the landline", page, StringComparison.Ordinal);
        Assert.Contains("Due; not reached twice", page, StringComparison.Ordinal);
        Assert.Null(await app.Read(db => db.Contacts.Where(c => c.Id == contact.Id).Select(c => c.EscalatedAt).SingleAsync()));
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
            ["preference"] = "NoPreference",
        });
        Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
        var episode = await app.Read(db => db.Episodes.Include(e => e.Contacts).SingleAsync(e => e.PersonId == personId));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero), episode.FirstContactDueBy);
        var first = episode.Contacts.Single(c => c.Kind == ContactKind.FirstContact);

        var worker = await app.ClientFor(Roles.AftercareWorker);
        var worklist = await worker.GetStringAsync("worklist");
        Assert.Contains($"/contacts/{first.Id}", worklist, StringComparison.Ordinal);

        foreach (var at in new[] { "2026-11-20T08:10", "2026-11-20T08:50", "2026-11-20T09:30" })
        {
            var version = await app.Read(db => db.Contacts.Where(c => c.Id == first.Id).Select(c => c.Version).SingleAsync());
            var tried = await worker.Post($"contacts/{first.Id}", "contact", new Dictionary<string, string>
            {
                ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["at"] = at,
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
        await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string> { ["dischargedAt"] = "2026-11-20T08:00", ["pathwayId"] = "first-contact", ["preference"] = "NoPreference" });
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
        await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string> { ["dischargedAt"] = "2026-11-20T08:00", ["pathwayId"] = "first-contact", ["preference"] = "NoPreference" });
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
            var run = await CliTests.AftercareWith(new Dictionary<string, string?> { ["Aftercare:PathwaysFile"] = file }, null, "migrate", "--db", app.Database);
            var error = run.Err;
            Assert.NotEqual(0, run.Code);
            Assert.Contains($"line {line}", error, StringComparison.Ordinal);
            Assert.Contains("sendPigeons", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
