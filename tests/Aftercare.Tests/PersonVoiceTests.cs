using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Aftercare.App.Messaging;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Users;
using Aftercare.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>A messaging fixture whose SMS gateway signs its inbound calls, with staffed hours set by the class.</summary>
public abstract class VoiceFixture(IReadOnlyDictionary<string, string?> staffed) : IAsyncLifetime
{
    public const string WebhookSecret = "test-webhook-secret";

    public SmtpServer Smtp { get; private set; } = default!;

    public SmsGateway Sms { get; } = new();

    public AftercareApplication App { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        Smtp = await SmtpServer.StartAsync();
        var settings = new Dictionary<string, string?>(staffed)
        {
            ["Aftercare:Messaging:Smtp:Host"] = "127.0.0.1",
            ["Aftercare:Messaging:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Aftercare:Messaging:PublicBaseUrl"] = "http://aftercare.test",
            ["Aftercare:Messaging:Sms:GatewayUrl"] = Sms.Url,
            ["Aftercare:Messaging:Sms:ApiKey"] = "test-key",
            ["Aftercare:Messaging:Replies:SmsWebhookSecret"] = WebhookSecret,
        };
        App = new AftercareApplication(settings);
        await App.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        Sms.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Staffed every weekday 9 to 5: the tests' "now", a Friday at 10:00, is staffed.</summary>
public sealed class StaffedNowFixture() : VoiceFixture(new Dictionary<string, string?>());

/// <summary>Staffed only on Saturdays: the tests' Friday morning is outside staffed hours.</summary>
public sealed class OutOfHoursFixture() : VoiceFixture(new Dictionary<string, string?> { ["Aftercare:Messaging:Replies:StaffedDays:0"] = "Saturday" });

/// <summary>What the person's voice tests share: a person signed in at /my with a code, and the gateway's signed call.</summary>
public static partial class Voice
{
    [GeneratedRegex("name=\"Entry.Ticket\" value=\"([^\"]+)\"")]
    private static partial Regex Ticket();

    [GeneratedRegex("code is ([0-9]{6})")]
    private static partial Regex SixDigits();

    /// <summary>A person with an agreed plan, signed in on their phone by a code sent to their email.</summary>
    public static async Task<(HttpClient Clinician, HttpClient Phone, Guid PersonId, string Mobile)> SignedInPerson(AftercareApplication app, SmtpServer smtp, string given)
    {
        var (clinician, personId, token, email) = await PersonSignInTests.PersonWithPlanAndLink(app, given);
        var phone = app.AnonymousClient();
        var asked = await phone.Post($"my/setup/{token}", "send-code", new Dictionary<string, string> { ["Request.Token"] = token, ["Request.How"] = "EmailCode" });
        var ticket = Ticket().Match(await asked.Content.ReadAsStringAsync()).Groups[1].Value;
        var code = SixDigits().Match(smtp.Received().Last(m => m.To.Mailboxes.Any(a => a.Address == email)).TextBody ?? "").Groups[1].Value;
        var signedIn = await phone.Post($"my/setup/{token}", "check-code", new Dictionary<string, string> { ["Entry.Ticket"] = ticket, ["Entry.Code"] = code });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var mobile = await app.Read(db => db.People.Where(p => p.Id == personId).Select(p => p.Phone!).FirstAsync());
        return (clinician, phone, personId, mobile);
    }

    /// <summary>The SMS gateway's inbound call, signed as its documentation says (or not, to forge one).</summary>
    public static HttpRequestMessage InboundText(string id, string from, string text, DateTimeOffset at, string secret = VoiceFixture.WebhookSecret)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { id, from, text });
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, InboundReplies.SmsPath.TrimStart('/')) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Aftercare-Timestamp", timestamp);
        request.Headers.Add("X-Aftercare-Signature", InboundReplies.Sign(secret, timestamp, body));
        return request;
    }

    /// <summary>+44 form of a UK number, as a gateway sends it.</summary>
    public static string International(string mobile) => "+44" + new string([.. mobile.Where(char.IsAsciiDigit)])[1..];
}

/// <summary>
/// Issue 14.5 to 14.8, from the person's side and the care team's: replies reach a human, asking to
/// talk becomes a worklist item, the person's choices work at once, and they see what is next.
/// </summary>
public sealed class PersonVoiceTests(StaffedNowFixture fixture) : IClassFixture<StaffedNowFixture>
{
    private AftercareApplication App => fixture.App;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_text_reply_with_a_valid_signature_reaches_the_care_team_and_a_forged_or_replayed_one_is_refused()
    {
        var (clinician, _, personId, mobile) = await Voice.SignedInPerson(App, fixture.Smtp, "Wren");
        var gateway = App.AnonymousClient();
        var now = App.Clock.GetUtcNow();
        var id = $"gw-{Guid.NewGuid():N}";

        var received = await gateway.SendAsync(Voice.InboundText(id, Voice.International(mobile), "Thanks for the text. Bit of a rough week to be honest", now), Ct);
        Assert.Equal(HttpStatusCode.OK, received.StatusCode);

        // Forged (signed with another secret), too old (a replay from an hour ago) and the same message again: refused, nothing kept.
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.SendAsync(Voice.InboundText($"gw-{Guid.NewGuid():N}", Voice.International(mobile), "forged", now, "not-the-secret"), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.SendAsync(Voice.InboundText($"gw-{Guid.NewGuid():N}", Voice.International(mobile), "old", now.AddHours(-1)), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await gateway.SendAsync(Voice.InboundText(id, Voice.International(mobile), "Thanks for the text. Bit of a rough week to be honest", now), Ct)).StatusCode);
        var kept = await App.Read(db => db.PersonMessages.Where(m => m.PersonId == personId).ToListAsync());
        var reply = Assert.Single(kept);
        Assert.Equal(ThreadChannel.Text, reply.Channel);
        // Staffed now: no automatic answer, a person will.
        Assert.DoesNotContain(kept, m => m.Author == ThreadAuthor.OutOfHoursAnswer);

        // The care team's worklist, oldest first, says how long it has waited; the record shows the words.
        App.Clock.Advance(TimeSpan.FromHours(2));
        clinician = await App.ClientFor(Roles.Clinician);
        var worklist = WebUtility.HtmlDecode(await clinician.GetStringAsync("worklist", Ct));
        Assert.Contains("Messages from people", worklist, StringComparison.Ordinal);
        var row = worklist[worklist.IndexOf("Messages from people", StringComparison.Ordinal)..worklist.IndexOf("Asked to talk", StringComparison.Ordinal)];
        Assert.Contains("Wren Fictional", row, StringComparison.Ordinal);
        Assert.Contains("Text reply", row, StringComparison.Ordinal);
        Assert.Contains("2 hours", row, StringComparison.Ordinal);
        var record = WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}", Ct));
        Assert.Contains("Bit of a rough week to be honest", record, StringComparison.Ordinal);

        // Answered from the record: by text, as they wrote; off the list; audited.
        var answered = await clinician.Post($"people/{personId}", "answer-person", new Dictionary<string, string> { ["Reply.MessageId"] = reply.Id.ToString(), ["Reply.Text"] = "Sorry to hear that, Wren. I'll call you at 2pm today." });
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var outbox = await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId && m.Kind == MessageKind.AnswerToThePerson).ToListAsync());
        Assert.Equal(MessageChannel.Sms, Assert.Single(outbox).Channel);
        await ActivatorUtilities.CreateInstance<OutboxWorker>(App.Services).RunOnceAsync(Ct);
        Assert.Contains(fixture.Sms.Received, r => r.Body.Contains("call you at 2pm today", StringComparison.Ordinal));
        worklist = WebUtility.HtmlDecode(await clinician.GetStringAsync("worklist", Ct));
        Assert.DoesNotContain("Wren Fictional", worklist[worklist.IndexOf("Messages from people", StringComparison.Ordinal)..worklist.IndexOf("Asked to talk", StringComparison.Ordinal)], StringComparison.Ordinal);
        // FHIR: the thread is Communication, the person as sender, the answer inResponseTo their message (validated as R4 by the test client).
        var bundle = System.Text.Json.JsonDocument.Parse(await clinician.GetStringAsync($"fhir/Communication?patient={personId}", Ct)).RootElement;
        var resources = bundle.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource")).ToList();
        var theirs = Assert.Single(resources, r => r.GetProperty("id").GetString() == reply.Id.ToString());
        Assert.Equal($"Patient/{personId}", theirs.GetProperty("sender").GetProperty("reference").GetString());
        Assert.Equal("Thanks for the text. Bit of a rough week to be honest", theirs.GetProperty("payload")[0].GetProperty("contentString").GetString());
        Assert.Contains(resources, r => r.TryGetProperty("inResponseTo", out var to) && to[0].GetProperty("reference").GetString() == $"Communication/{reply.Id}");

        var audit = await App.Read(db => db.AuditEvents.Where(a => a.PersonId == personId).Select(a => new { a.Action, a.ActorId }).ToListAsync());
        Assert.Contains(audit, a => a.Action == AuditAction.PersonMessageReceived && a.ActorId == Aftercare.App.Actor.PersonPrefix + personId.ToString("D"));
        Assert.Contains(audit, a => a.Action == AuditAction.PersonMessageAnswered);
    }

    [Fact]
    public async Task A_message_written_in_their_own_space_is_kept_in_their_words_and_answered_there()
    {
        var (clinician, phone, personId, _) = await Voice.SignedInPerson(App, fixture.Smtp, "Lark");
        // Nothing is refused for its words: the person's own account of themselves stands.
        var words = "I hurt myself again last night and I feel like a failure";
        var empty = await phone.Post("my/messages", "my-message", new Dictionary<string, string> { ["Text"] = "  " });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains("Write your message.", WebUtility.HtmlDecode(await empty.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        var sent = await phone.Post("my/messages", "my-message", new Dictionary<string, string> { ["Text"] = words });
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Contains("Your message has been sent to your care team.", WebUtility.HtmlDecode(await sent.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        var message = await App.Read(db => db.PersonMessages.SingleAsync(m => m.PersonId == personId));
        Assert.Equal(words, message.Text);

        await clinician.Post($"people/{personId}", "answer-person", new Dictionary<string, string> { ["Reply.MessageId"] = message.Id.ToString(), ["Reply.Text"] = "Thank you for telling us, Lark. You are not a failure. Can we call you this afternoon?" });
        // Written in /my, answered in /my: nothing goes by text or email.
        Assert.False(await App.Read(db => db.OutboxMessages.AnyAsync(m => m.PersonId == personId && m.Kind == MessageKind.AnswerToThePerson)));
        var thread = WebUtility.HtmlDecode(await phone.GetStringAsync("my/messages", Ct));
        Assert.Contains("Your care team", thread, StringComparison.Ordinal);
        Assert.Contains("Can we call you this afternoon?", thread, StringComparison.Ordinal);
        Assert.DoesNotContain("patient", thread, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("(1 new)", WebUtility.HtmlDecode(await phone.GetStringAsync("my", Ct)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Asking_to_talk_is_on_the_care_teams_worklist_due_within_staffed_hours_until_someone_is_in_touch()
    {
        var (clinician, phone, personId, _) = await Voice.SignedInPerson(App, fixture.Smtp, "Finch");
        var bad = await phone.Post("my/talk", "my-talk", new Dictionary<string, string> { ["Posted.How"] = "PhoneCall", ["Posted.When"] = "Afternoon", ["Posted.Note"] = new string('x', 1001) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.False(await App.Read(db => db.TalkRequests.AnyAsync(r => r.PersonId == personId)));

        var askedAt = App.Clock.GetUtcNow();
        var asked = await phone.Post("my/talk", "my-talk", new Dictionary<string, string> { ["Posted.How"] = "PhoneCall", ["Posted.When"] = "Afternoon", ["Posted.Note"] = "About going back to work" });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var request = await App.Read(db => db.TalkRequests.SingleAsync(r => r.PersonId == personId));
        // A Friday in staffed hours (9 to 5; other tests in the class move the clock on a little): due 4 staffed hours later, the same day.
        Assert.Equal(DayOfWeek.Friday, askedAt.DayOfWeek);
        Assert.InRange(askedAt.Hour, 9, 12);
        Assert.Equal(askedAt.AddHours(4), request.DueBy);
        Assert.Contains($"will be in touch by Fri 20 Nov 2026, {askedAt.AddHours(4):HH:mm}", WebUtility.HtmlDecode(await asked.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        var worklist = WebUtility.HtmlDecode(await clinician.GetStringAsync("worklist", Ct));
        var section = worklist[worklist.IndexOf("Asked to talk", StringComparison.Ordinal)..];
        Assert.Contains("Finch Fictional", section, StringComparison.Ordinal);
        Assert.Contains("A phone call, in the afternoon", section, StringComparison.Ordinal);
        Assert.Contains("About going back to work", WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}", Ct)), StringComparison.Ordinal);

        await clinician.Post($"people/{personId}", $"talk-done-{request.Id}", new Dictionary<string, string> { ["TalkId"] = request.Id.ToString() });
        Assert.NotNull((await App.Read(db => db.TalkRequests.SingleAsync(r => r.PersonId == personId))).DoneAt);
        worklist = WebUtility.HtmlDecode(await clinician.GetStringAsync("worklist", Ct));
        Assert.DoesNotContain("Finch Fictional", worklist[worklist.IndexOf("Asked to talk", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rule8_The_persons_own_contact_choices_take_effect_at_once_and_are_recorded_as_theirs()
    {
        var (clinician, phone, personId, _) = await Voice.SignedInPerson(App, fixture.Smtp, "Robin");
        var presentationId = await App.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await clinician.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = London.Local(App.Clock.GetUtcNow().AddHours(-1)), ["pathwayId"] = "first-contact", ["reason"] = "", ["preference"] = "NoPreference",
        })).StatusCode);
        var caring = await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId && m.Kind == MessageKind.CaringContact).ToListAsync());
        Assert.NotEmpty(caring);
        Assert.All(caring, m => Assert.Equal(MessageChannel.Email, m.Channel));

        // Texts instead, not after 21:00 until 08:00: the waiting messages go by text now.
        var bad = await phone.Post("my/contact", "my-contact", new Dictionary<string, string> { ["Posted.Channel"] = "TextMessage", ["Posted.QuietFrom"] = "21:00", ["Posted.QuietUntil"] = "", ["Posted.Language"] = "en", ["Posted.StopMessages"] = "false" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.All(await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId && m.Kind == MessageKind.CaringContact).ToListAsync()), m => Assert.Equal(MessageChannel.Email, m.Channel));
        var chose = await phone.Post("my/contact", "my-contact", new Dictionary<string, string> { ["Posted.Channel"] = "TextMessage", ["Posted.QuietFrom"] = "21:00", ["Posted.QuietUntil"] = "08:00", ["Posted.Language"] = "Welsh", ["Posted.StopMessages"] = "false" });
        Assert.Equal(HttpStatusCode.OK, chose.StatusCode);
        Assert.All(await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId && m.Kind == MessageKind.CaringContact).ToListAsync()), m => Assert.Equal(MessageChannel.Sms, m.Channel));

        // Stopped: nothing waits; started again: what is still ahead waits again.
        await phone.Post("my/contact", "my-contact", new Dictionary<string, string> { ["Posted.Channel"] = "TextMessage", ["Posted.QuietFrom"] = "21:00", ["Posted.QuietUntil"] = "08:00", ["Posted.Language"] = "Welsh", ["Posted.StopMessages"] = "true" });
        Assert.All(await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId && m.Kind == MessageKind.CaringContact).ToListAsync()), m => Assert.Equal(MessageStatus.Cancelled, m.Status));
        await phone.Post("my/contact", "my-contact", new Dictionary<string, string> { ["Posted.Channel"] = "TextMessage", ["Posted.QuietFrom"] = "21:00", ["Posted.QuietUntil"] = "08:00", ["Posted.Language"] = "Welsh", ["Posted.StopMessages"] = "false" });
        Assert.All(await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId && m.Kind == MessageKind.CaringContact).ToListAsync()), m => Assert.Equal(MessageStatus.Pending, m.Status));

        // Recorded as the person's own, and the care team sees it.
        var audit = await App.Read(db => db.AuditEvents.Where(a => a.PersonId == personId && a.Action == AuditAction.MessagePreferencesChanged).Select(a => a.ActorId).ToListAsync());
        Assert.Equal(3, audit.Count);
        Assert.All(audit, a => Assert.Equal(Aftercare.App.Actor.PersonPrefix + personId.ToString("D"), a));
        var record = WebUtility.HtmlDecode(await clinician.GetStringAsync($"people/{personId}", Ct));
        Assert.Contains("The person chose these themselves in their own space", record, StringComparison.Ordinal);
        Assert.Contains("not between 21:00 and 08:00, language Welsh", record, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_person_sees_their_team_their_contacts_to_come_with_a_calendar_file_and_where_each_referral_stands()
    {
        var (clinician, phone, personId, _) = await Voice.SignedInPerson(App, fixture.Smtp, "Sparrow");
        var presentationId = await App.Read(db => db.Presentations.Where(p => p.PersonId == personId).Select(p => p.Id).SingleAsync());
        await clinician.Post($"presentations/{presentationId}/aftercare", "enrol", new Dictionary<string, string>
        {
            ["dischargedAt"] = London.Local(App.Clock.GetUtcNow().AddHours(-1)), ["pathwayId"] = "first-contact", ["reason"] = "", ["preference"] = "NoPreference",
        });
        var home = WebUtility.HtmlDecode(await phone.GetStringAsync("my", Ct));
        Assert.Contains("What's next", home, StringComparison.Ordinal);
        Assert.Contains("Your contacts to come", home, StringComparison.Ordinal);
        var first = await App.Read(db => db.Contacts.Where(c => c.PersonId == personId).OrderBy(c => c.DueAt).Select(c => new { c.Id, c.DueAt }).FirstAsync());
        Assert.Contains("/my/calendar/1", home, StringComparison.Ordinal);
        var ics = await phone.GetAsync("my/calendar/1", Ct);
        Assert.Equal("text/calendar", ics.Content.Headers.ContentType?.MediaType);
        var calendar = await ics.Content.ReadAsStringAsync(Ct);
        Assert.Contains($"UID:{first.Id}@aftercare", calendar, StringComparison.Ordinal);
        Assert.Contains($"DTSTART:{first.DueAt.UtcDateTime:yyyyMMdd'T'HHmmss}Z", calendar, StringComparison.Ordinal);

        // Another person has their own list only (none here): no id in the address, so nothing of Sparrow's to ask for.
        var (_, otherPhone, _, _) = await Voice.SignedInPerson(App, fixture.Smtp, "Heron");
        Assert.Equal(HttpStatusCode.NotFound, (await otherPhone.GetAsync("my/calendar/1", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await phone.GetAsync("my/calendar/99", Ct)).StatusCode);
    }
}

/// <summary>Issue 14.5 outside staffed hours: the person is answered at once, and a person still reads it.</summary>
public sealed class OutOfHoursAnswerTests(OutOfHoursFixture fixture) : IClassFixture<OutOfHoursFixture>
{
    private AftercareApplication App => fixture.App;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Outside_staffed_hours_a_text_is_answered_at_once_with_when_it_will_be_read_and_the_crisis_lines()
    {
        var (clinician, phone, personId, mobile) = await Voice.SignedInPerson(App, fixture.Smtp, "Dunnock");
        var received = await App.AnonymousClient().SendAsync(Voice.InboundText($"gw-{Guid.NewGuid():N}", Voice.International(mobile), "Can't sleep. Are you there?", App.Clock.GetUtcNow()), Ct);
        Assert.Equal(HttpStatusCode.OK, received.StatusCode);

        // Staffed on Saturdays only: read from Saturday 09:00, said at once by text, with the crisis lines.
        var answer = Assert.Single(await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId && m.Kind == MessageKind.AnswerToThePerson).ToListAsync()));
        Assert.Equal(MessageChannel.Sms, answer.Channel);
        Assert.Contains("will read it on Saturday 21 November from 09:00", answer.Body, StringComparison.Ordinal);
        Assert.Contains("Samaritans, 116 123", answer.Body, StringComparison.Ordinal);
        await ActivatorUtilities.CreateInstance<OutboxWorker>(App.Services).RunOnceAsync(Ct);
        Assert.Contains(fixture.Sms.Received, r => r.Body.Contains("Saturday 21 November from 09:00", StringComparison.Ordinal));

        // In their own space, the same answer, in the thread.
        await phone.Post("my/messages", "my-message", new Dictionary<string, string> { ["Text"] = "Still awake" });
        var thread = WebUtility.HtmlDecode(await phone.GetStringAsync("my/messages", Ct));
        Assert.Contains("Automatic answer", thread, StringComparison.Ordinal);
        Assert.Contains("will read it on Saturday 21 November from 09:00", thread, StringComparison.Ordinal);

        // The automatic answer is not an answer: both messages wait for a person, oldest first.
        var worklist = WebUtility.HtmlDecode(await clinician.GetStringAsync("worklist", Ct));
        var section = worklist[worklist.IndexOf("Messages from people", StringComparison.Ordinal)..worklist.IndexOf("Asked to talk", StringComparison.Ordinal)];
        Assert.Contains("Text reply", section, StringComparison.Ordinal);
        Assert.Contains("In their own space", section, StringComparison.Ordinal);
        Assert.True(section.IndexOf("Text reply", StringComparison.Ordinal) < section.IndexOf("In their own space", StringComparison.Ordinal));
    }
}
