using System.Net;
using Aftercare.App.Messaging;
using Aftercare.Domain.Audit;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Users;
using MailKit;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Aftercare.Tests;

/// <summary>The application with a real SMTP server, a real IMAP reply mailbox (Dovecot) and an SMS gateway on loopback, with staffed hours set by the class.</summary>
public abstract class MailboxFixture(IReadOnlyDictionary<string, string?> staffed) : IAsyncLifetime
{
    public const string ReplyAddress = "replies@aftercare.test";

    public SmtpServer Smtp { get; private set; } = default!;

    public ImapServer Imap { get; private set; } = default!;

    public SmsGateway Sms { get; } = new();

    public AftercareApplication App { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        Smtp = await SmtpServer.StartAsync();
        Imap = await ImapServer.StartAsync();
        var settings = new Dictionary<string, string?>(Imap.Settings(ReplyAddress).Concat(staffed))
        {
            ["Aftercare:Messaging:Smtp:Host"] = "127.0.0.1",
            ["Aftercare:Messaging:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Aftercare:Messaging:PublicBaseUrl"] = "http://aftercare.test",
            ["Aftercare:Messaging:Sms:GatewayUrl"] = Sms.Url,
        };
        App = new AftercareApplication(settings);
        await App.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Imap.DisposeAsync();
        await Smtp.DisposeAsync();
        Sms.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Staffed every weekday 9 to 5: the tests' Friday morning is staffed.</summary>
public sealed class EmailRepliesFixture() : MailboxFixture(new Dictionary<string, string?>());

/// <summary>Staffed only on Saturdays: the tests' Friday morning is outside staffed hours.</summary>
public sealed class EmailRepliesOutOfHoursFixture() : MailboxFixture(new Dictionary<string, string?> { ["Aftercare:Messaging:Replies:StaffedDays:0"] = "Saturday" });

/// <summary>What the email-reply tests share: a person who has been sent a caring email, and their answer to it.</summary>
public static class Mail
{
    public static async Task<(HttpClient Clinician, Guid PersonId, string Email, MimeMessage Sent)> PersonWithACaringEmail(MailboxFixture fixture, string given)
    {
        var (clinician, _, personId, _) = await Voice.SignedInPerson(fixture.App, fixture.Smtp, given);
        var email = await fixture.App.Read(db => db.People.Where(p => p.Id == personId).Select(p => p.Email!).FirstAsync());
        var queued = await clinician.Post($"people/{personId}", "message", new Dictionary<string, string> { ["channel"] = "Email", ["body"] = $"Thinking of you, {given}. How have the last few days been?" });
        Assert.Equal(HttpStatusCode.Redirect, queued.StatusCode);
        await ActivatorUtilities.CreateInstance<OutboxWorker>(fixture.App.Services).RunOnceAsync(TestContext.Current.CancellationToken);
        var sent = fixture.Smtp.Received().Last(m => m.To.Mailboxes.Any(a => a.Address == email) && (m.TextBody ?? "").Contains("Thinking of you", StringComparison.Ordinal));
        return (clinician, personId, email, sent);
    }

    public static MimeMessage ReplyTo(MimeMessage sent, string from, string words)
    {
        var reply = new MimeMessage { Subject = "Re: " + sent.Subject, MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("mail.example.org"), InReplyTo = sent.MessageId };
        reply.References.Add(sent.MessageId!);
        reply.From.Add(MailboxAddress.Parse(from));
        reply.To.AddRange(sent.ReplyTo.Count > 0 ? sent.ReplyTo : sent.From);
        // As mail programs write it: their words, the "wrote:" line, and our message quoted under it.
        var quoted = string.Join("\n", (sent.TextBody ?? "").Split('\n').Select(l => "> " + l.TrimEnd('\r')));
        reply.Body = new TextPart("plain") { Text = $"{words}\n\nOn Fri, 20 Nov 2026 at 10:05, Aftercare team <aftercare@localhost>\nwrote:\n{quoted}\n" };
        return reply;
    }
}

/// <summary>
/// Issue 14.5, email: a person answers a caring email from their own mail program; the reply mailbox
/// is read over IMAP (MailKit against Dovecot) and their words wait on the care team's worklist like
/// a text; an email whose sender no single record holds is kept for no one and flagged for the team.
/// </summary>
public sealed partial class EmailReplyTests(EmailRepliesFixture fixture) : IClassFixture<EmailRepliesFixture>
{
    private AftercareApplication App => fixture.App;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private EmailReplies Reader => App.Services.GetRequiredService<EmailReplies>();

    [Fact]
    public async Task An_email_reply_reaches_the_care_team_in_the_persons_own_words_and_is_answered_by_email()
    {
        var (clinician, personId, email, sent) = await Mail.PersonWithACaringEmail(fixture, "Teal");
        // The caring email says it can be answered, and answers go to the reply mailbox.
        Assert.Equal(MailboxFixture.ReplyAddress, Assert.Single(sent.ReplyTo.Mailboxes).Address);
        Assert.Contains("You can reply to this email: someone in your care team will read it.", sent.TextBody, StringComparison.Ordinal);

        var words = "Thank you. Evenings are still hard, and I hurt myself on Tuesday.\nI'd like a call if that's ok.";
        var reply = Mail.ReplyTo(sent, email.ToUpperInvariant(), words);
        var before = await Badge(clinician);
        await fixture.Imap.DeliverAsync(reply);
        var read = await Reader.ReadOnceAsync(Ct);
        Assert.Equal(new EmailReplies.Read(1, 0, 0), read);

        // Their words whole (nothing refused or rewritten), our quoted message cut; an answer to the caring email.
        var kept = Assert.Single(await App.Read(db => db.PersonMessages.Where(m => m.PersonId == personId).ToListAsync()));
        Assert.Equal(words, kept.Text);
        Assert.Equal(ThreadChannel.Email, kept.Channel);
        var caring = await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == personId && m.Kind == MessageKind.CaringContact).Select(m => m.Id).SingleAsync());
        Assert.Equal(caring, kept.InResponseTo);
        var flags = Assert.Single(await fixture.Imap.FlagsAsync(), f => f.MessageId == reply.MessageId).Flags;
        Assert.True(flags.HasFlag(MessageFlags.Seen));
        Assert.False(flags.HasFlag(MessageFlags.Flagged));

        // Read again: nothing new. The same email delivered twice (a crash before it was marked seen): kept once.
        Assert.Equal(new EmailReplies.Read(0, 0, 0), await Reader.ReadOnceAsync(Ct));
        await fixture.Imap.DeliverAsync(reply);
        Assert.Equal(new EmailReplies.Read(0, 1, 0), await Reader.ReadOnceAsync(Ct));
        Assert.Single(await App.Read(db => db.PersonMessages.Where(m => m.PersonId == personId).ToListAsync()));

        // On the care team's worklist as an email reply; audited as the person's own action.
        App.Clock.Advance(TimeSpan.FromMinutes(30));
        clinician = await App.ClientFor(Roles.Clinician);
        var worklist = WebUtility.HtmlDecode(await clinician.GetStringAsync("worklist", Ct));
        var rows = worklist[worklist.IndexOf("Messages from people", StringComparison.Ordinal)..worklist.IndexOf("Asked to talk", StringComparison.Ordinal)];
        Assert.Contains("Teal Fictional", rows, StringComparison.Ordinal);
        Assert.Contains("Email reply", rows, StringComparison.Ordinal);
        // The worklist's count in the navigation counts it, until it is answered.
        Assert.Equal(before + 1, await Badge(clinician));
        var audit = await App.Read(db => db.AuditEvents.Where(a => a.PersonId == personId && a.Action == AuditAction.PersonMessageReceived).Select(a => a.ActorId).ToListAsync());
        Assert.Equal(Aftercare.App.Actor.PersonPrefix + personId.ToString("D"), Assert.Single(audit));

        // Answered from the record: by email, to the address on the record.
        var answered = await clinician.Post($"people/{personId}", "answer-person", new Dictionary<string, string> { ["Reply.MessageId"] = kept.Id.ToString(), ["Reply.Text"] = "Thank you for telling us, Teal. Jo will call you at 3pm today." });
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        await ActivatorUtilities.CreateInstance<OutboxWorker>(App.Services).RunOnceAsync(Ct);
        Assert.Contains(fixture.Smtp.Received(), m => m.To.Mailboxes.Any(a => a.Address == email) && (m.TextBody ?? "").Contains("Jo will call you at 3pm today", StringComparison.Ordinal));
        worklist = WebUtility.HtmlDecode(await clinician.GetStringAsync("worklist", Ct));
        Assert.DoesNotContain("Teal Fictional", worklist[worklist.IndexOf("Messages from people", StringComparison.Ordinal)..worklist.IndexOf("Asked to talk", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Equal(before, await Badge(clinician));
    }

    /// <summary>The number on the navigation's Worklist link, as a screen reader hears it.</summary>
    private static async Task<int> Badge(HttpClient clinician) =>
        int.Parse(BadgeCount().Match(await clinician.GetStringAsync("worklist", Ct)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [System.Text.RegularExpressions.GeneratedRegex("class=\"badge\" aria-label=\"([0-9]+) items\"")]
    private static partial System.Text.RegularExpressions.Regex BadgeCount();

    [Fact]
    public async Task An_email_no_single_record_can_be_said_to_have_sent_is_kept_for_no_one_and_flagged_for_the_team()
    {
        var (_, personId, email, sent) = await Mail.PersonWithACaringEmail(fixture, "Rook");
        // A stranger writing to the reply address, and someone else answering Rook's email (forwarded to them): neither is Rook's.
        var stranger = Mail.ReplyTo(sent, "someone-else@example.net", "Is this the right address for the clinic?");
        stranger.InReplyTo = null;
        stranger.References.Clear();
        var forwarded = Mail.ReplyTo(sent, "a-friend@example.net", "My friend showed me this");
        await fixture.Imap.DeliverAsync(stranger);
        await fixture.Imap.DeliverAsync(forwarded);
        // Rook writing fresh, in HTML only, from the address on the record: theirs.
        var fresh = new MimeMessage { Subject = "Hello", MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("mail.example.org") };
        fresh.From.Add(MailboxAddress.Parse(email));
        fresh.To.Add(MailboxAddress.Parse(MailboxFixture.ReplyAddress));
        fresh.Body = new TextPart("html") { Text = "<p>Could someone ring me tomorrow &amp; not today?</p><div>Thanks</div>" };
        await fixture.Imap.DeliverAsync(fresh);

        Assert.Equal(new EmailReplies.Read(1, 0, 2), await Reader.ReadOnceAsync(Ct));
        var kept = Assert.Single(await App.Read(db => db.PersonMessages.Where(m => m.PersonId == personId).ToListAsync()));
        Assert.Equal("Could someone ring me tomorrow & not today?\nThanks", kept.Text);
        // Nothing from the others was kept anywhere; they stay in the mailbox, flagged for a person in the team.
        var everyone = await App.Read(db => db.PersonMessages.Select(m => m.Text).ToListAsync());
        Assert.DoesNotContain(everyone, t => t.Contains("friend showed me", StringComparison.Ordinal) || t.Contains("right address", StringComparison.Ordinal));
        var flags = await fixture.Imap.FlagsAsync();
        Assert.True(flags.Single(f => f.MessageId == stranger.MessageId).Flags.HasFlag(MessageFlags.Flagged));
        Assert.True(flags.Single(f => f.MessageId == forwarded.MessageId).Flags.HasFlag(MessageFlags.Flagged));
        Assert.False(flags.Single(f => f.MessageId == fresh.MessageId).Flags.HasFlag(MessageFlags.Flagged));
    }
}

/// <summary>Issue 14.5: an email outside staffed hours is answered at once, by email, with when it will be read and the crisis lines.</summary>
public sealed class EmailReplyOutOfHoursTests(EmailRepliesOutOfHoursFixture fixture) : IClassFixture<EmailRepliesOutOfHoursFixture>
{
    [Fact]
    public async Task Outside_staffed_hours_an_email_is_answered_at_once_by_email_and_stays_on_the_worklist()
    {
        var ct = TestContext.Current.CancellationToken;
        var (clinician, personId, email, sent) = await Mail.PersonWithACaringEmail(fixture, "Kite");
        await fixture.Imap.DeliverAsync(Mail.ReplyTo(sent, email, "Can't sleep again."));
        Assert.Equal(new EmailReplies.Read(1, 0, 0), await fixture.App.Services.GetRequiredService<EmailReplies>().ReadOnceAsync(ct));

        var thread = await fixture.App.Read(db => db.PersonMessages.Where(m => m.PersonId == personId).OrderBy(m => m.At).ToListAsync());
        Assert.Equal([ThreadAuthor.ThePerson, ThreadAuthor.OutOfHoursAnswer], thread.Select(m => m.Author).Order());
        await ActivatorUtilities.CreateInstance<OutboxWorker>(fixture.App.Services).RunOnceAsync(ct);
        // Found by its words: the Maildir's file names do not sort in the order the mail arrived.
        var answer = Assert.Single(fixture.Smtp.Received(), m => m.To.Mailboxes.Any(a => a.Address == email) && (m.TextBody ?? "").Contains("Thank you for your message.", StringComparison.Ordinal)).TextBody ?? "";
        // Staffed only on Saturdays; the tests' now is Friday 20 November.
        Assert.Contains("Someone in your care team will read it on Saturday 21 November from 09:00.", answer, StringComparison.Ordinal);
        Assert.Contains("116 123", answer, StringComparison.Ordinal);
        // The automatic answer is not an answer: it waits for a person.
        var worklist = WebUtility.HtmlDecode(await clinician.GetStringAsync("worklist", ct));
        Assert.Contains("Kite Fictional", worklist[worklist.IndexOf("Messages from people", StringComparison.Ordinal)..worklist.IndexOf("Asked to talk", StringComparison.Ordinal)], StringComparison.Ordinal);
    }
}
