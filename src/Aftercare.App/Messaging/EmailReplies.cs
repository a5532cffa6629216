using System.Net;
using System.Text.RegularExpressions;
using Aftercare.App.Data;
using Aftercare.Domain.Messaging;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Aftercare.App.Messaging;

/// <summary>
/// Email replies from people (issue 14.5): caring messages carry the reply mailbox as Reply-To; this
/// reads that mailbox over IMAP with MailKit and keeps each new email in the person's thread, where
/// it waits on the care team's worklist like a text or a message written in /my.
/// <para>
/// Whose it is: an email that answers one of our messages (In-Reply-To or References naming an
/// outbox id) belongs to that message's person, if it comes from the address on their record; an
/// email written fresh belongs to the one record with its sender's address. Anything else (an
/// unknown sender, a sender two records share, a forward from someone else) is kept for no one,
/// flagged in the mailbox for staff to look at there, and logged without the address. Forged
/// senders are the receiving mail server's to refuse (SPF, DKIM, DMARC); this cannot tell.
/// </para>
/// <para>
/// What is kept: the person's words, whole; only the quoted copy of our own message under them is
/// cut ("&gt;" lines and the "On … wrote:" line before them). Nothing reads, sorts or scores the
/// words (rule 1). Each email is marked seen once kept; its Message-ID is kept hashed, so an email
/// read twice (a crash between keeping and marking) is kept once.
/// </para>
/// </summary>
public sealed partial class EmailReplies(
    IServiceScopeFactory scopes, TimeProvider clock, LocalTime time, MessagingOptions options, PersonVoiceSettings voice, ILogger<EmailReplies> logger) : BackgroundService
{
    /// <summary>What one read of the mailbox did.</summary>
    public sealed record Read(int Kept, int AlreadyKept, int ForNoOne);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Replies.Imap.Host);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsConfigured || !options.RunWorker)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(5, options.Replies.Imap.PollSeconds)), TimeProvider.System);
        do
        {
            try
            {
                await ReadOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The mailbox may be down for a while: try again at the next poll. No content in the log.
                LogReadFailed(logger, e.GetType().Name);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Reads every unseen email in the inbox once.</summary>
    public async Task<Read> ReadOnceAsync(CancellationToken ct)
    {
        var imap = options.Replies.Imap;
        if (string.IsNullOrWhiteSpace(imap.Host))
        {
            throw new InvalidOperationException("No reply mailbox is configured (Aftercare:Messaging:Replies:Imap:Host).");
        }

        using var client = new ImapClient();
        await client.ConnectAsync(imap.Host, imap.Port, imap.UseSsl ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable, ct);
        await client.AuthenticateAsync(imap.UserName ?? "", imap.Password ?? "", ct);
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite, ct);
        var (kept, again, none) = (0, 0, 0);
        foreach (var uid in await inbox.SearchAsync(SearchQuery.NotSeen, ct))
        {
            var email = await inbox.GetMessageAsync(uid, ct);
            var outcome = await KeepAsync(email, ct);
            switch (outcome)
            {
                case Outcome.Kept: kept++; break;
                case Outcome.AlreadyKept: again++; break;
                default: none++; break;
            }

            // Seen once dealt with; flagged where a person in the team must look at it in the mailbox.
            var flags = outcome is Outcome.Kept or Outcome.AlreadyKept ? MessageFlags.Seen : MessageFlags.Seen | MessageFlags.Flagged;
            await inbox.AddFlagsAsync(uid, flags, true, ct);
        }

        await client.DisconnectAsync(true, ct);
        if (none > 0)
        {
            LogForNoOne(logger, none);
        }

        return new Read(kept, again, none);
    }

    private enum Outcome
    {
        Kept,
        AlreadyKept,
        ForNoOne,
        NoWords,
    }

    private async Task<Outcome> KeepAsync(MimeMessage email, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var from = email.From.Mailboxes.FirstOrDefault()?.Address;
        if (from is null || await PersonFor(db, email, from, ct) is not { } personId)
        {
            return Outcome.ForNoOne;
        }

        var words = WordsOf(email);
        if (string.IsNullOrWhiteSpace(words))
        {
            // A photo with no words, say: there is nothing to put in the thread; the mailbox has it.
            return Outcome.NoWords;
        }

        // An id for the email even if its sender's program gave none: the same email read twice is kept once.
        // (Only its SHA-256 is stored, so the words in it never reach the column; string.GetHashCode would differ after a restart.)
        var id = string.IsNullOrWhiteSpace(email.MessageId) ? $"{from}|{email.Date.ToUnixTimeSeconds()}|{words}" : email.MessageId;
        var received = await PersonMessages.FromThePerson(db, clock, time, voice, personId, ThreadChannel.Email, words, id, ct);
        return !received.IsSuccess ? Outcome.NoWords
            : received.Value == PersonMessages.Received.AlreadyKept ? Outcome.AlreadyKept : Outcome.Kept;
    }

    /// <summary>The person the email is from, or null when it cannot be said for certain.</summary>
    private static async Task<Guid?> PersonFor(AftercareDbContext db, MimeMessage email, string from, CancellationToken ct)
    {
        var address = from.Trim().ToLowerInvariant();
        var answers = email.References.Append(email.InReplyTo ?? "")
            .Select(r => OutboxId().Match(r ?? ""))
            .Where(m => m.Success && Guid.TryParse(m.Groups[1].Value, out _))
            .Select(m => Guid.Parse(m.Groups[1].Value))
            .ToList();
        if (answers.Count > 0)
        {
            var theirs = await db.OutboxMessages.AsNoTracking().Where(m => answers.Contains(m.Id)).Select(m => m.PersonId).Distinct().ToListAsync(ct);
            if (theirs.Count == 1)
            {
                var recorded = await db.People.AsNoTracking().Where(p => p.Id == theirs[0]).Select(p => p.Email).FirstOrDefaultAsync(ct);
                // An answer to our message from an address not on their record (forwarded, a shared inbox): not assumed theirs.
                return recorded is not null && recorded.Trim().Equals(address, StringComparison.OrdinalIgnoreCase) ? theirs[0] : null;
            }
        }

        var found = await db.People.AsNoTracking().Where(p => p.Email != null && p.Email.ToLower() == address).OrderBy(p => p.Id).Select(p => p.Id).Take(2).ToListAsync(ct);
        // Two records with one address: kept for neither rather than guess whose it is.
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>The person's words: the text part (or the HTML's text), without the quoted copy of our message.</summary>
    public static string WordsOf(MimeMessage email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var text = email.TextBody ?? HtmlText(email.HtmlBody ?? "");
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var quoted = lines.FindIndex(l => l.TrimStart().StartsWith('>'));
        if (quoted >= 0)
        {
            var end = quoted;
            while (end > 0 && string.IsNullOrWhiteSpace(lines[end - 1]))
            {
                end--;
            }

            // The "On Friday, Aftercare team <...> wrote:" line before the quote goes too, even wrapped over two lines.
            if (end > 0 && WroteLine().IsMatch(lines[end - 1]))
            {
                end--;
            }
            else if (end > 1 && WroteLine().IsMatch(lines[end - 2] + " " + lines[end - 1]))
            {
                end -= 2;
            }

            lines = [.. lines.Take(end), .. lines.Skip(quoted).SkipWhile(l => l.TrimStart().StartsWith('>') || string.IsNullOrWhiteSpace(l))];
        }

        var words = string.Join('\n', lines).Trim();
        return words.Length <= PersonMessage.MaxText ? words
            : string.Concat(words.AsSpan(0, PersonMessage.MaxText - 80).TrimEnd(), " […the email goes on: all of it is in the reply mailbox]");
    }

    private static string HtmlText(string html) => WebUtility.HtmlDecode(Tag().Replace(BlockEnd().Replace(html, "\n"), ""));

    [GeneratedRegex(@"([0-9a-fA-F-]{36})@aftercare")]
    private static partial Regex OutboxId();

    [GeneratedRegex(@"^\s*On\b.*\bwrote:\s*$")]
    private static partial Regex WroteLine();

    [GeneratedRegex(@"<(br|/p|/div|/li)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnd();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The reply mailbox could not be read ({ExceptionType}); trying again at the next poll")]
    private static partial void LogReadFailed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} email(s) in the reply mailbox could not be kept in a thread (no single record has the sender's address, or no words): flagged there for the team")]
    private static partial void LogForNoOne(ILogger logger, int count);
}
