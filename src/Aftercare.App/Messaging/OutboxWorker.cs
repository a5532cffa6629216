using Aftercare.App.Data;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aftercare.App.Messaging;

/// <summary>
/// Sends what the outbox holds. Each message is claimed with one conditional UPDATE, so two
/// workers never take the same one; it is marked sent straight after the server accepts it; a
/// stop request is honoured between messages. The message being sent when it comes is given
/// <see cref="MessagingOptions.StopWaitSeconds"/> to finish; if the server has not taken it by then,
/// the send is given up and the claim released, so the next start sends it at once rather than
/// after the claim expires. Nothing goes to a person who has opted out, nor after their episode has closed.
/// </summary>
public sealed partial class OutboxWorker(
    IServiceScopeFactory scopes, TimeProvider clock, MessagingOptions options, LocalTime time, Sites.SiteTeams teams, ILogger<OutboxWorker> logger,
    [FromKeyedServices(MessageChannel.Email)] IMessageSender email, [FromKeyedServices(MessageChannel.Sms)] IMessageSender sms) : BackgroundService
{
    private readonly string _name = $"worker-{Guid.NewGuid():N}"[..20];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.RunWorker)
        {
            return;
        }

        // The poll is wall time; the clock decides what is due (a test that moves the clock by days
        // must not run the worker once per skipped interval, inline in the mover).
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.PollSeconds)), TimeProvider.System);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRunFailed(logger, e.GetType().Name);
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

    /// <summary>Sends every message due now; returns how many were sent.</summary>
    public async Task<int> RunOnceAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var now = clock.GetUtcNow();
        // A channel with nowhere to send (no SMTP host, no SMS gateway) is not tried: its messages
        // wait, with no failed tries counted, until it is configured.
        var (canEmail, canText) = (email.IsConfigured, sms.IsConfigured);
        if (!canEmail && !canText)
        {
            return 0;
        }

        var pending = db.OutboxMessages.AsNoTracking().Where(m => m.Status == MessageStatus.Pending && m.DueAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil < now));
        if (canEmail != canText)
        {
            var only = canEmail ? MessageChannel.Email : MessageChannel.Sms;
            pending = pending.Where(m => m.Channel == only);
        }

        var due = await pending
            .OrderBy(m => m.DueAt).Select(m => m.Id).Take(50).ToListAsync(stoppingToken);
        var sent = 0;
        foreach (var id in due)
        {
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            if (await SendOneAsync(db, id, stoppingToken) == MessageStatus.Sent)
            {
                sent++;
            }
        }

        return sent;
    }

    private async Task<MessageStatus?> SendOneAsync(AftercareDbContext db, Guid id, CancellationToken stoppingToken)
    {
        // From here the message is finished (sent, failed or released) whatever happens to the host:
        // the database writes are never cancelled, the send only StopWaitSeconds after a stop request.
        var ct = CancellationToken.None;
        var now = clock.GetUtcNow();
        var claimed = await db.OutboxMessages
            .Where(m => m.Id == id && m.Status == MessageStatus.Pending && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimedBy, _name).SetProperty(m => m.ClaimedUntil, now + options.Claim), ct);
        if (claimed != 1)
        {
            return null;
        }

        var message = await db.OutboxMessages.AsNoTracking().FirstAsync(m => m.Id == id, ct);
        var preferences = await db.MessagePreferences.AsNoTracking().FirstOrDefaultAsync(p => p.PersonId == message.PersonId, ct);
        var episodeClosed = message.EpisodeId is { } episode
            && await db.Episodes.AnyAsync(e => e.Id == episode && e.Status == EpisodeStatus.Closed, ct);
        var answer = message.Kind == MessageKind.AnswerToThePerson;
        if (!answer && (preferences?.OptedOut == true || episodeClosed))
        {
            var why = preferences?.OptedOut == true ? NotSentBecause.OptedOut : NotSentBecause.EpisodeClosed;
            return await Finish(db, id, MessageStatus.Cancelled, message.Attempts, why.ToString(), null, ct);
        }

        if (preferences is not null && !answer)
        {
            var local = time.ToLocal(now);
            var allowed = preferences.OutsideQuietHours(local);
            if (allowed > local)
            {
                // Inside the hours the person asked not to be contacted: wait until they end.
                await db.OutboxMessages.Where(m => m.Id == id && m.ClaimedBy == _name)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.DueAt, time.FromLocal(allowed)).SetProperty(m => m.ClaimedBy, (string?)null).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), ct);
                return MessageStatus.Pending;
            }
        }

        using var giveUp = new CancellationTokenSource();
        using var stopping = stoppingToken.Register(() =>
        {
            LogStopWaiting(logger, options.StopWaitSeconds);
            giveUp.CancelAfter(TimeSpan.FromSeconds(options.StopWaitSeconds));
        });
        try
        {
            var sender = message.Channel == MessageChannel.Email ? email : sms;
            // Signed by the team of the person's care, with its number: a caring message says whom to call.
            var team = await teams.ForPersonAsync(db, message.PersonId, message.EpisodeId, ct);
            await sender.SendAsync(message.SignedOff(MessageText.SignOff(team, message.Channel)), $"{options.LinkBase}/opt-out/{message.OptOutToken}", giveUp.Token);
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            // The server stops and the SMTP server or gateway has not taken the message: released, not
            // a failed try. (Had it taken the whole message but not yet answered, the next start sends
            // it again with the same Message-ID: ADR 0007's at-least-once window, as after a kill.)
            await db.OutboxMessages.Where(m => m.Id == id && m.ClaimedBy == _name)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimedBy, (string?)null).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), ct);
            LogReleased(logger, options.StopWaitSeconds);
            return MessageStatus.Pending;
        }
        catch (Exception e)
        {
            var attempts = message.Attempts + 1;
            var status = attempts >= options.MaxAttempts ? MessageStatus.Failed : MessageStatus.Pending;
            LogSendFailed(logger, e.GetType().Name, attempts);
            Telemetry.AftercareMetrics.SendFailed(message.Channel);
            return await Finish(db, id, status, attempts, e.GetType().Name, now.AddMinutes(Math.Pow(2, attempts)), ct);
        }

        return await Finish(db, id, MessageStatus.Sent, message.Attempts + 1, null, null, ct);
    }

    private async Task<MessageStatus> Finish(AftercareDbContext db, Guid id, MessageStatus status, int attempts, string? error, DateTimeOffset? retryAt, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await db.OutboxMessages.Where(m => m.Id == id && m.ClaimedBy == _name).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, status)
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.LastError, error)
            .SetProperty(m => m.SentAt, status == MessageStatus.Sent ? now : null)
            .SetProperty(m => m.DueAt, m => retryAt ?? m.DueAt)
            .SetProperty(m => m.ClaimedBy, (string?)null)
            .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), ct);
        return status;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox run failed: {ExceptionType}")]
    private static partial void LogRunFailed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: the message being sent has {StopWaitSeconds} s to finish")]
    private static partial void LogStopWaiting(ILogger logger, int stopWaitSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping: a message not taken within {StopWaitSeconds} s was given up and its claim released")]
    private static partial void LogReleased(ILogger logger, int stopWaitSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message could not be sent ({ExceptionType}); try {Attempt}")]
    private static partial void LogSendFailed(ILogger logger, string exceptionType, int attempt);
}
