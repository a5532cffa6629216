using System.Diagnostics;
using System.Globalization;
using Aftercare.App;
using Aftercare.App.Data;
using Aftercare.App.Messaging;
using Aftercare.App.Presentations;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Users;
using Aftercare.Presentations;
using Aftercare.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aftercare.Bench;

/// <summary>
/// The outbox under kill -9 (issue 16, bench/crash.sh). A caring email is queued; the real server's
/// outbox worker claims it and connects to an SMTP server on loopback that does not answer, so the
/// worker is between its claim and the send; the server is killed with SIGKILL there. After the
/// restart the claim must expire and the message arrive exactly once (ADR 0007). A second case
/// kills it after the SMTP server has taken the message but before its "250" reaches the worker:
/// ADR 0007 says that message is sent again, with the same Message-ID; the harness shows whether it is.
/// </summary>
public static class CrashOutbox
{
    public static async Task<int> Run(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var (db, keys, server) = (Arg("--db"), Arg("--keys"), Arg("--server"));
        if (db is null || keys is null || server is null || !File.Exists(server))
        {
            Console.Error.WriteLine("usage: Aftercare.Bench crash-outbox --db <sqlite file | PostgreSQL> --keys <folder> --server <aftercare.dll> [--port N] [--log FILE]");
            return 2;
        }

        if (!int.TryParse(Arg("--port") ?? "5198", NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port < 1024)
        {
            Console.Error.WriteLine("crash-outbox: --port takes a whole number of at least 1024.");
            return 2;
        }

        var log = Arg("--log") ?? Path.Combine(Path.GetTempPath(), "aftercare-crash-outbox.log");
        await using var sink = new SmtpSink();
        Crash.ShareSettings(keys, runOutbox: true);
        Environment.SetEnvironmentVariable("Aftercare__Messaging__Smtp__Host", "127.0.0.1");
        Environment.SetEnvironmentVariable("Aftercare__Messaging__Smtp__Port", sink.Port.ToString(CultureInfo.InvariantCulture));
        Environment.SetEnvironmentVariable("Aftercare__Messaging__PollSeconds", "1");
        // A claim of 1 minute: how long a dead worker's message waits (OutboxKillTests, in ./test.sh, waits seconds).
        Environment.SetEnvironmentVariable("Aftercare__Messaging__ClaimMinutes", "1");
        await using var app = Crash.NewApp(db);
        var site = await Crash.PrepareDatabaseAsync(app);
        var url = $"http://127.0.0.1:{port}";
        Console.WriteLine($"Outbox under kill -9 on {(db.Contains("Host=", StringComparison.OrdinalIgnoreCase) ? "PostgreSQL" : "SQLite")} (claim 1 minute, poll 1 second)");

        var failures = 0;
        foreach (var (stage, expected) in new[] { (SmtpSink.Mode.HoldGreeting, 1), (SmtpSink.Mode.HoldAnswer, 2) })
        {
            sink.Set(stage);
            var message = await QueueAsync(app, site);
            using (var first = Crash.StartServer(server, db, url, log))
            {
                var held = await Until(() => sink.Held > 0, TimeSpan.FromSeconds(90));
                var before = await RowAsync(app, message);
                first.Kill(); // SIGKILL, as kill -9
                await first.WaitForExitAsync();
                var where = stage == SmtpSink.Mode.HoldGreeting ? "after its claim, before the SMTP server greeted it" : "after the SMTP server took the message, before its 250 came back";
                Console.WriteLine($"  killed {where}: {(held ? "" : "NOT REACHED: ")}row {before.Status}, claimed by {before.ClaimedBy ?? "nobody"} until {before.ClaimedUntil:HH:mm:ss}; messages received so far: {sink.Count(message)}");
                if (!held || before.Status != MessageStatus.Pending || before.ClaimedBy is null)
                {
                    failures++;
                    continue;
                }
            }

            sink.Set(SmtpSink.Mode.Accept);
            var clock = Stopwatch.StartNew();
            using var second = Crash.StartServer(server, db, url, log);
            var sent = await Until(async () => (await RowAsync(app, message)).Status == MessageStatus.Sent, TimeSpan.FromMinutes(3));
            var taken = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(5)); // a few more polls: a second copy would show here
            var after = await RowAsync(app, message);
            second.Kill();
            await second.WaitForExitAsync();
            var count = sink.Count(message);
            var ok = sent && count == expected;
            Console.WriteLine($"  after the restart: row {after.Status} at {after.SentAt:HH:mm:ss} ({taken.TotalSeconds:0} s after the restart), received {count} time(s) with Message-ID <{message}@aftercare> (expected {expected}{(expected == 2 ? ": ADR 0007's at-least-once window" : ": exactly once")}) {(ok ? "OK" : "UNEXPECTED")}");
            failures += ok ? 0 : 1;
        }

        Console.WriteLine(failures == 0 ? "Outbox under kill -9: as ADR 0007 says." : $"Outbox under kill -9: {failures} case(s) not as ADR 0007 says (server log: {log}).");
        return failures == 0 ? 0 : 1;
    }

    private sealed record Row(MessageStatus Status, string? ClaimedBy, DateTimeOffset? ClaimedUntil, DateTimeOffset? SentAt);

    private static async Task<Row> RowAsync(WebApplication app, Guid id)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        return await db.OutboxMessages.AsNoTracking().Where(m => m.Id == id).Select(m => new Row(m.Status, m.ClaimedBy, m.ClaimedUntil, m.SentAt)).SingleAsync();
    }

    /// <summary>A person who prefers email, registered by the crash clinician, and a caring message to them sent now (the use case behind the record's "Send a message").</summary>
    private static async Task<Guid> QueueAsync(WebApplication app, Guid site)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AftercareDbContext>();
        var clinician = await db.Users.Where(u => u.Email == Crash.Clinician).Select(u => u.Id).SingleAsync();
        var actor = new Actor(clinician, Crash.Clinician, [Roles.Clinician]);
        var email = $"casey-{Guid.NewGuid():N}@example.org";
        var request = new PresentationsApi.RegisterRequest(null,
            new PresentationsApi.NewPersonRequest("Casey", "Crashtest", new DateOnly(1991, 7, 7), Sex.Female, null, email, ContactChannel.Email,
                "Demo Street Surgery (fictional)", PriorPsychiatricHistory.No, $"CROUT{Random.Shared.Next(1_000_000):000000}", null),
            DateTimeOffset.UtcNow.AddHours(-6), site, [SelfHarmMethod.MedicationOrDrugs], YesNoUnknown.No, YesNoUnknown.No, null, Disposition.Discharged, null);
        var registered = await RegisterPresentation.Handle(db, TimeProvider.System, actor, PresentationsApi.ToCommand(request), default) as RegisterPresentation.Registered
            ?? throw new InvalidOperationException("the outbox person was not registered");
        var message = await SendMessageNow.Handle(db, TimeProvider.System, actor, registered.PersonId, MessageChannel.Email, "Thinking of you today.", default);
        return message.IsSuccess ? message.Value.Id : throw new InvalidOperationException(string.Join("; ", message.Errors.Select(e => e.Message)));
    }

    private static Task<bool> Until(Func<bool> condition, TimeSpan limit) => Until(() => Task.FromResult(condition()), limit);

    private static async Task<bool> Until(Func<Task<bool>> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100); // polling, bounded by the limit
        }

        return false;
    }
}
