using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.App.Programme;
using Aftercare.Domain;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.Tests;

/// <summary>Caring messages through the outbox to a real SMTP server on loopback.</summary>
public sealed class OutboxTests(MessagingFixture fixture) : IClassFixture<MessagingFixture>
{
    private AftercareApplication App => fixture.App;

    private Task<Guid> PersonWhoPrefersEmail(HttpClient client, string email) => PersonWhoPrefersEmail(App, client, email);

    /// <summary>A person registered with a presentation through the API, with this address and email as their preferred channel.</summary>
    internal static async Task<Guid> PersonWhoPrefersEmail(AftercareApplication app, HttpClient client, string email)
    {
        var person = new
        {
            givenName = "Casey", familyName = "Example", dateOfBirth = "1991-07-07", sex = "Female", phone = (string?)null, email,
            preferredChannel = "Email", gpPractice = "Demo Street Surgery (fictional)", priorPsychiatricHistory = "No", mrn = Requests.NewMrn(), nhsNumber = (string?)null,
        };
        var response = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(await app.SiteId(), app.Clock.GetUtcNow().AddHours(-6), newPerson: person));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
    }

    private async Task<Guid> Enrolled(HttpClient client, string email)
    {
        var personId = await PersonWhoPrefersEmail(client, email);
        var presentationId = await App.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        var enrolled = await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = London.Local(App.Clock.GetUtcNow().AddHours(-1)),
            ["pathwayId"] = "first-contact",
            ["reason"] = "",
            ["preference"] = "NoPreference",
        });
        Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
        return personId;
    }

    private OutboxWorker NewWorker() => ActivatorUtilities.CreateInstance<OutboxWorker>(App.Services);

    private int Delivered(string email) => fixture.Smtp.Received().Count(m => m.To.Mailboxes.Any(a => a.Address == email));

    [Fact]
    public async Task Rule11_Caring_messages_are_written_with_the_enrolment_and_arrive_once_with_an_opt_out_link()
    {
        var client = await App.ClientFor(Roles.Clinician);
        var email = $"casey-{Guid.NewGuid():N}@example.org";
        var personId = await Enrolled(client, email);
        var queued = await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId).ToListAsync());
        Assert.Equal(4, queued.Count); // the first-contact pathway's messages on days 2, 14, 60 and 120
        Assert.All(queued, m => Assert.Equal(MessageStatus.Pending, m.Status));

        // Nothing is due yet; then the days pass.
        await NewWorker().RunOnceAsync(default);
        Assert.Equal(0, Delivered(email));
        App.Clock.Advance(TimeSpan.FromDays(121));
        await NewWorker().RunOnceAsync(default);
        await NewWorker().RunOnceAsync(default);

        var received = fixture.Smtp.Received().Where(m => m.To.Mailboxes.Any(a => a.Address == email)).ToList();
        Assert.Equal(4, received.Count);
        Assert.Equal(queued.Select(m => $"{m.Id}@aftercare").Order(), received.Select(m => m.MessageId).Order());
        Assert.All(received, m => Assert.Contains("http://aftercare.test/opt-out/", m.TextBody, StringComparison.Ordinal));
        Assert.All(await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId).ToListAsync()), m => Assert.Equal(MessageStatus.Sent, m.Status));
    }

    [Fact]
    public async Task Opt_out_links_are_stored_only_encrypted_and_found_by_their_hash()
    {
        var client = await App.ClientFor(Roles.Clinician);
        var email = $"jordan-{Guid.NewGuid():N}@example.org";
        var personId = await Enrolled(client, email);
        App.Clock.Advance(TimeSpan.FromDays(3));
        await NewWorker().RunOnceAsync(default);
        var sent = fixture.Smtp.Received().First(m => m.To.Mailboxes.Any(a => a.Address == email));
        var token = System.Text.RegularExpressions.Regex.Match(sent.TextBody ?? "", "/opt-out/([A-Za-z0-9_-]+)").Groups[1].Value;
        Assert.NotEmpty(token);

        // At rest: the token only as ciphertext bound to its row, and its SHA-256 to find it by.
        var stored = await App.Read(db => db.Database.SqlQueryRaw<string>("""SELECT "OptOutToken" AS "Value" FROM "OutboxMessages" """).ToListAsync());
        Assert.DoesNotContain(stored, value => value.Contains(token, StringComparison.Ordinal));
        Assert.All(stored, value => Assert.StartsWith(FieldEncryption.Prefix, value, StringComparison.Ordinal));
        var hashes = await App.Read(db => db.Database.SqlQueryRaw<string>("""SELECT "OptOutTokenHash" AS "Value" FROM "OutboxMessages" """).ToListAsync());
        Assert.Contains(PrivateLinkToken.HashOf(token), hashes);

        // The link in the message still stops the messages.
        var stopped = await App.AnonymousClient().Post($"opt-out/{token}", "opt-out", []);
        Assert.Contains("You will not get any more messages", await stopped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(await App.Read(db => db.MessagePreferences.AnyAsync(p => p.PersonId == personId && p.OptedOutAt != null)));
    }

    [Fact]
    public async Task Stopping_the_worker_mid_run_and_starting_another_loses_none_and_doubles_none()
    {
        var client = await App.ClientFor(Roles.AftercareWorker);
        var email = $"sam-{Guid.NewGuid():N}@example.org";
        var personId = await PersonWhoPrefersEmail(client, email);
        Guid[] ids;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
            var actor = new Actor("test", "worker@example.org", []);
            for (var i = 0; i < 12; i++)
            {
                Assert.True((await SendMessageNow.Handle(db, App.Clock, actor, personId, MessageChannel.Email, $"Thinking of you ({i + 1})", default)).IsSuccess);
            }

            ids = [.. (await db.OutboxMessages.Where(m => m.PersonId == personId).Select(m => m.Id).ToListAsync())];
        }

        // A third worker died holding one message: its claim must expire before anyone else sends it.
        await App.Read(db => db.OutboxMessages.Where(m => m.Id == ids[0])
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimedBy, "dead-worker").SetProperty(m => m.ClaimedUntil, App.Clock.GetUtcNow().AddMinutes(5))));

        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            // Stop the worker once a few have gone (or after a while, so a broken sender cannot hang the test).
            for (var waited = 0; Delivered(email) < 3 && waited < 2000; waited++)
            {
                await Task.Delay(5);
            }

            await stop.CancelAsync();
        });
        await NewWorker().RunOnceAsync(stop.Token);
        await watcher;
        Assert.InRange(Delivered(email), 3, 10);

        await NewWorker().RunOnceAsync(default);
        Assert.Equal(11, Delivered(email));
        App.Clock.Advance(TimeSpan.FromMinutes(6));
        await NewWorker().RunOnceAsync(default);

        var received = fixture.Smtp.Received().Where(m => m.To.Mailboxes.Any(a => a.Address == email)).Select(m => m.MessageId).ToList();
        Assert.Equal(12, received.Count);
        Assert.Equal(ids.Select(id => $"{id}@aftercare").Order(), received.Order());
    }

    [Fact]
    public async Task A_person_who_opts_out_by_the_link_receives_nothing_more()
    {
        var client = await App.ClientFor(Roles.Clinician);
        var email = $"robin-{Guid.NewGuid():N}@example.org";
        var personId = await Enrolled(client, email);
        var token = await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId).Select(m => m.OptOutToken).FirstAsync());

        // The person, not signed in, follows the link: opening it changes nothing; the button does.
        var anonymous = App.AnonymousClient();
        Assert.Contains("Stop the messages", await anonymous.GetStringAsync($"opt-out/{token}"), StringComparison.Ordinal);
        Assert.Equal(0, await App.Read(db => db.OutboxMessages.CountAsync(m => m.PersonId == personId && m.Status == MessageStatus.Cancelled)));
        var stopped = await anonymous.Post($"opt-out/{token}", "opt-out", []);
        Assert.Contains("You will not get any more messages", await stopped.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        App.Clock.Advance(TimeSpan.FromDays(121));
        await NewWorker().RunOnceAsync(default);
        Assert.Equal(0, Delivered(email));
        Assert.All(await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId).ToListAsync()), m => Assert.Equal(MessageStatus.Cancelled, m.Status));

        var refused = await CaringMessagesFor(personId);
        Assert.Contains("opted out", Assert.Single(refused.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_to_a_person_with_no_address_for_that_channel_is_refused_and_nothing_is_queued()
    {
        var client = await App.ClientFor(Roles.Clinician);
        var personId = await PersonWhoPrefersEmail(client, $"x-{Guid.NewGuid():N}@example.org");
        var refused = await client.Post($"people/{personId}", "message", new Dictionary<string, string> { ["channel"] = "Sms", ["body"] = "Thinking of you" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("no mobile number", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await App.Read(db => db.OutboxMessages.AnyAsync(m => m.PersonId == personId)));
    }

    [Fact]
    public async Task An_agreed_next_contact_sends_an_email_invitation_with_an_iCalendar_file()
    {
        var client = await App.ClientFor(Roles.AftercareWorker);
        var email = $"alex-{Guid.NewGuid():N}@example.org";
        var personId = await Enrolled(client, email);
        var contact = await App.Read(db => db.Contacts.SingleAsync(c => c.PersonId == personId && c.Kind == Domain.Programme.ContactKind.FirstContact));
        var recorded = await client.Post($"contacts/{contact.Id}", "contact", new Dictionary<string, string>
        {
            ["version"] = "0", ["at"] = London.Local(App.Clock.GetUtcNow()), ["channel"] = "Phone", ["outcome"] = "Reached",
            ["howTheyAreFeeling"] = "Better for talking", ["nextContactAt"] = London.Local(App.Clock.GetUtcNow().AddDays(3)),
        });
        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        await NewWorker().RunOnceAsync(default);

        var invitation = fixture.Smtp.Received().Single(m => m.To.Mailboxes.Any(a => a.Address == email) && m.Subject == "Your next aftercare check-in");
        var ics = invitation.Attachments.OfType<MimeKit.MimePart>().Single(p => p.ContentType.MimeType == "text/calendar");
        using var stream = new MemoryStream();
        await ics.Content!.DecodeToAsync(stream);
        var calendar = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("BEGIN:VEVENT", calendar, StringComparison.Ordinal);
        Assert.Contains("SUMMARY:Aftercare check-in", calendar, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_text_message_goes_through_the_SMS_gateway_with_its_opt_out_link()
    {
        var client = await App.ClientFor(Roles.Clinician);
        var response = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(await App.SiteId(), App.Clock.GetUtcNow().AddHours(-6), newPerson: Requests.NewPerson(Requests.NewMrn())));
        var personId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
        var sent = await client.Post($"people/{personId}", "message", new Dictionary<string, string> { ["channel"] = "Sms", ["body"] = "Thinking of you today" });
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        await NewWorker().RunOnceAsync(default);

        // Other tests' workers send the demo people's texts through the same gateway: pick this one out.
        var (authorization, body) = Assert.Single(fixture.Sms.Received, r => r.Body.Contains("Thinking of you today", StringComparison.Ordinal));
        Assert.Equal("Bearer test-key", authorization);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("07700 900123", json.RootElement.GetProperty("to").GetString());
        Assert.StartsWith($"Thinking of you today - {Team.Name}, {Team.Phone} Stop: http://aftercare.test/opt-out/", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(MessageStatus.Sent, await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId).Select(m => m.Status).SingleAsync()));
    }

    /// <summary>The demo team the tests' people present to (Requests.DemoSiteCode), with its fictional number.</summary>
    private static Aftercare.App.Sites.SiteSetting Team => Aftercare.App.Demo.DemoData.Sites[0];

    private async Task SendEverythingDue()
    {
        while (await NewWorker().RunOnceAsync(default) > 0)
        {
        }
    }

    [Fact]
    public async Task Every_caring_message_of_every_pathway_names_the_persons_team_and_its_number()
    {
        var client = await App.ClientFor(Roles.Clinician);
        var pathways = App.Services.GetRequiredService<AftercareSettings>().Pathways.Pathways;
        var people = new List<(string Pathway, string Address, bool Email, int Expected)>();
        foreach (var pathway in pathways)
        {
            // By email where the pathway offers it, else by text: each template reaches the person as they prefer.
            var email = pathway.Channels.Contains(Domain.People.ContactChannel.Email);
            if (!email && !pathway.Channels.Contains(Domain.People.ContactChannel.TextMessage))
            {
                continue; // calls and letters only (older adults): Aftercare sends nothing itself
            }

            var address = email ? $"team-{Guid.NewGuid():N}@example.org" : $"07700 900{Random.Shared.Next(100, 999)}";
            var person = new
            {
                givenName = "Quinn", familyName = "Example", dateOfBirth = "1990-02-02", sex = "Female", phone = email ? null : address, email = email ? address : null,
                preferredChannel = email ? "Email" : "TextMessage", gpPractice = "Demo Street Surgery (fictional)", priorPsychiatricHistory = "No", mrn = Requests.NewMrn(), nhsNumber = (string?)null,
            };
            var response = await client.PostAsJsonAsync("api/presentations", Requests.Presentation(await App.SiteId(), App.Clock.GetUtcNow().AddHours(-6), newPerson: person));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var personId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("personId").GetGuid();
            var presentationId = await App.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
            var enrolled = await client.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
            {
                ["dischargedAt"] = London.Local(App.Clock.GetUtcNow().AddHours(-1)), ["pathwayId"] = pathway.Id, ["reason"] = "Agreed with the person for this test",
                ["preference"] = "NoPreference",
            });
            Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
            Assert.Equal(pathway.CaringMessages.Count, await App.Read(db => db.OutboxMessages.CountAsync(m => m.PersonId == personId && m.Kind == MessageKind.CaringContact)));
            people.Add((pathway.Id, address, email, pathway.CaringMessages.Count));
        }

        Assert.True(people.Count >= 4, "every pathway with messages was tried");
        App.Clock.Advance(TimeSpan.FromDays(200));
        await SendEverythingDue();

        foreach (var (pathway, address, email, expected) in people)
        {
            var texts = email
                ? fixture.Smtp.Received().Where(m => m.To.Mailboxes.Any(a => a.Address == address)).Select(m => m.TextBody ?? "").ToList()
                : fixture.Sms.Received.Select(r => JsonDocument.Parse(r.Body).RootElement).Where(j => j.GetProperty("to").GetString() == address).Select(j => j.GetProperty("text").GetString() ?? "").ToList();
            Assert.True(texts.Count == expected, $"{pathway}: {texts.Count} of {expected} messages arrived");
            Assert.All(texts, text =>
            {
                Assert.Contains(Team.Name, text, StringComparison.Ordinal);
                Assert.Contains(Team.Phone!, text, StringComparison.Ordinal);
            });
        }
    }

    [Fact]
    public async Task A_message_not_sent_says_why_on_the_persons_record()
    {
        var client = await App.ClientFor(Roles.Clinician);

        // The person stops them by the link in a message.
        var byLink = await Enrolled(client, $"why-link-{Guid.NewGuid():N}@example.org");
        var token = await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == byLink).Select(m => m.OptOutToken).FirstAsync());
        await App.AnonymousClient().Post($"opt-out/{token}", "opt-out", []);

        // Staff record that the person wants none.
        var asked = await Enrolled(client, $"why-asked-{Guid.NewGuid():N}@example.org");
        Assert.Equal(HttpStatusCode.Redirect, (await client.Post($"people/{asked}", "message-preferences", new Dictionary<string, string> { ["optedOut"] = "true", ["language"] = "en" })).StatusCode);

        // The episode closes.
        var closed = await Enrolled(client, $"why-closed-{Guid.NewGuid():N}@example.org");
        var episode = await App.Read(db => db.Episodes.Where(e => e.PersonId == closed).Select(e => e.Id).SingleAsync());
        var closing = await client.Post($"people/{closed}", $"close-{episode}", new Dictionary<string, string> { ["episodeId"] = episode.ToString(), ["reason"] = "PersonDeclined", ["note"] = "Did not want aftercare" });
        Assert.True(closing.StatusCode == HttpStatusCode.Redirect, await closing.Content.ReadAsStringAsync());

        foreach (var (personId, why) in new[]
        {
            (byLink, "Not sent: the person opted out by the link in a message"),
            (asked, "Not sent: the person asked for no messages"),
            (closed, "Not sent: the aftercare episode was closed"),
        })
        {
            var page = WebUtility.HtmlDecode(await client.GetStringAsync($"people/{personId}"));
            Assert.Contains(why, page, StringComparison.Ordinal);
            Assert.DoesNotContain("<td>Not sent</td>", page, StringComparison.Ordinal);
        }
    }

    private async Task<Aftercare.Domain.Result<OutboxMessage>> CaringMessagesFor(Guid personId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await SendMessageNow.Handle(scope.ServiceProvider.GetRequiredService<AftercareDbContext>(), App.Clock, new Actor("t", "t@example.org", []), personId, MessageChannel.Email, "Hello", default);
    }
}
