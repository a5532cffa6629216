using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// The outbox under a kill -9 and a graceful stop of the real server (issue 16, ADR 0007): `dotnet
/// aftercare.dll serve` as a process of its own on the test database, its outbox worker sending to
/// an SMTP server on loopback that the test holds (<see cref="SmtpSink"/>). A caring email is queued
/// through the record's "Send a message"; once the worker has claimed it and connected, the server
/// is killed (SIGKILL) or stopped (SIGTERM) and started again. bench/crash.sh --only outbox runs the
/// same kills with the production claim of a minute.
/// </summary>
public sealed class OutboxKillTests(AftercareApplication app) : IClassFixture<AftercareApplication>
{
    /// <summary>The kill tests' claim: short, so that the restarted server takes over the dead one's message in seconds.</summary>
    private const int ShortClaimSeconds = 3;

    /// <summary>Every wait below is a bounded poll: generous, so a loaded machine is not a failure; reaching it is one.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private sealed record Row(MessageStatus Status, string? ClaimedBy, DateTimeOffset? ClaimedUntil, DateTimeOffset? SentAt, int Attempts);

    [Fact]
    public async Task Killed_between_claim_and_send_the_message_is_sent_exactly_once_after_the_restart()
    {
        await using var smtp = new SmtpSink();
        smtp.Set(SmtpSink.Mode.HoldGreeting);
        var (person, message) = await QueueAsync();
        using (var first = Server.Start(app.Database, smtp.Port, ShortClaimSeconds))
        {
            await first.UntilAsync(() => smtp.Held > 0, "the worker claimed the message and connected to the SMTP server");
            var claimed = await RowAsync(message);
            Assert.Equal(MessageStatus.Pending, claimed.Status);
            Assert.NotNull(claimed.ClaimedBy);
            first.Kill();
            Assert.Empty(smtp.Received);

            smtp.Set(SmtpSink.Mode.Accept);
            using var second = Server.Start(app.Database, smtp.Port, ShortClaimSeconds);
            await second.UntilAsync(async () => (await RowAsync(message)).Status == MessageStatus.Sent, "the restarted worker sent the message");
            var sent = await RowAsync(message);
            Assert.True(sent.SentAt >= claimed.ClaimedUntil, $"sent at {sent.SentAt:O}, before the dead worker's claim ran out at {claimed.ClaimedUntil:O}");
            var later = await SentinelAsync(second, person, smtp);
            Assert.Equal([Id(message), Id(later)], smtp.Received);
        }
    }

    [Fact]
    public async Task Killed_after_the_SMTP_server_took_the_message_but_before_its_answer_it_is_sent_again_with_the_same_Message_ID()
    {
        await using var smtp = new SmtpSink();
        smtp.Set(SmtpSink.Mode.HoldAnswer);
        var (person, message) = await QueueAsync();
        using var first = Server.Start(app.Database, smtp.Port, ShortClaimSeconds);
        await first.UntilAsync(() => smtp.Held > 0, "the SMTP server took the whole message and holds its answer");
        Assert.NotNull((await RowAsync(message)).ClaimedBy);
        first.Kill();
        Assert.Equal([Id(message)], smtp.Received);

        // ADR 0007's window: the server has the message, the row is not marked sent. At least once, never lost,
        // and the second copy carries the same Message-ID, so it can be recognised downstream.
        smtp.Set(SmtpSink.Mode.Accept);
        using var second = Server.Start(app.Database, smtp.Port, ShortClaimSeconds);
        await second.UntilAsync(async () => (await RowAsync(message)).Status == MessageStatus.Sent, "the restarted worker sent the message");
        var later = await SentinelAsync(second, person, smtp);
        Assert.Equal([Id(message), Id(message), Id(later)], smtp.Received);
    }

    [Fact]
    public async Task Stopped_gracefully_while_sending_the_worker_finishes_the_message_and_the_restart_does_not_send_it_again()
    {
        await using var smtp = new SmtpSink();
        smtp.Set(SmtpSink.Mode.HoldGreeting);
        var (person, message) = await QueueAsync();
        // The production claim (5 minutes): nothing below waits for one to expire.
        using (var first = Server.Start(app.Database, smtp.Port, claimSeconds: null, stopWaitSeconds: 60))
        {
            await first.UntilAsync(() => smtp.Held > 0, "the worker claimed the message and connected to the SMTP server");
            await first.TerminateAsync();
            await first.UntilAsync(() => first.Output.Contains("Stopping: the message being sent", StringComparison.Ordinal), "the worker was told to stop mid-send");
            // The SMTP server keeps it waiting a while longer: past the 2 seconds after which
            // System.CommandLine used to end the process, whatever the worker was sending.
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
            smtp.Release();
            Assert.True(await first.ExitAsync() == 0, first.Output);
        }

        Assert.Equal(MessageStatus.Sent, (await RowAsync(message)).Status);
        Assert.Equal([Id(message)], smtp.Received);
        smtp.Set(SmtpSink.Mode.Accept);
        using var second = Server.Start(app.Database, smtp.Port, claimSeconds: null);
        var later = await SentinelAsync(second, person, smtp);
        Assert.Equal([Id(message), Id(later)], smtp.Received);
    }

    [Fact]
    public async Task Stopped_gracefully_while_the_SMTP_server_does_not_answer_the_worker_releases_the_message_and_the_restart_sends_it_once()
    {
        await using var smtp = new SmtpSink();
        smtp.Set(SmtpSink.Mode.HoldGreeting);
        var (_, message) = await QueueAsync();
        using (var first = Server.Start(app.Database, smtp.Port, claimSeconds: null, stopWaitSeconds: 1))
        {
            await first.UntilAsync(() => smtp.Held > 0, "the worker claimed the message and connected to the SMTP server");
            await first.TerminateAsync();
            Assert.True(await first.ExitAsync() == 0, first.Output);
            Assert.Contains("claim released", first.Output, StringComparison.Ordinal);
        }

        // Released, not a failed try: no claim left to wait for (the production one is 5 minutes), nothing counted.
        var released = await RowAsync(message);
        Assert.Equal((MessageStatus.Pending, null, null, 0), (released.Status, released.ClaimedBy, released.ClaimedUntil, released.Attempts));
        Assert.Empty(smtp.Received);

        smtp.Set(SmtpSink.Mode.Accept);
        using var second = Server.Start(app.Database, smtp.Port, claimSeconds: null);
        await second.UntilAsync(async () => (await RowAsync(message)).Status == MessageStatus.Sent, "the restarted worker sent the released message");
        Assert.Equal([Id(message)], smtp.Received);
    }

    private static string Id(Guid message) => $"<{message}@aftercare>";

    /// <summary>
    /// A person who prefers email and a caring message to them through the record's "Send a message";
    /// every other message waiting in the database is cancelled first, so the server sends only this one.
    /// </summary>
    private async Task<(Guid Person, Guid Message)> QueueAsync()
    {
        await app.Read(db => db.OutboxMessages.Where(m => m.Status == MessageStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Cancelled)));
        var client = await app.ClientFor(Roles.Clinician);
        var person = await OutboxTests.PersonWhoPrefersEmail(app, client, $"kill-{Guid.NewGuid():N}@example.org");
        return (person, await SendAsync(client, person, "Thinking of you today."));
    }

    private async Task<Guid> SendAsync(HttpClient client, Guid person, string body)
    {
        var before = await app.Read(db => db.OutboxMessages.Where(m => m.PersonId == person).Select(m => m.Id).ToListAsync());
        var sent = await client.Post($"people/{person}", "message", new Dictionary<string, string> { ["channel"] = "Email", ["body"] = body });
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        return await app.Read(db => db.OutboxMessages.Where(m => m.PersonId == person && !before.Contains(m.Id)).Select(m => m.Id).SingleAsync());
    }

    /// <summary>A later message to the same person, waited for: once it has arrived, the restarted worker has run past the first.</summary>
    private async Task<Guid> SentinelAsync(Server server, Guid person, SmtpSink smtp)
    {
        var later = await SendAsync(await app.ClientFor(Roles.Clinician), person, "And again.");
        await server.UntilAsync(async () => (await RowAsync(later)).Status == MessageStatus.Sent && smtp.Count(later) > 0, "the restarted worker sent a later message");
        return later;
    }

    private Task<Row> RowAsync(Guid id) => app.Read(db => db.OutboxMessages.AsNoTracking().Where(m => m.Id == id)
        .Select(m => new Row(m.Status, m.ClaimedBy, m.ClaimedUntil, m.SentAt, m.Attempts)).SingleAsync());

    /// <summary>`dotnet aftercare.dll serve` on the test's database, its outbox worker on and polling every second; its output kept.</summary>
    private sealed class Server : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();

        private Server(Process process)
        {
            _process = process;
        }

        public string Output => string.Join('\n', _output);

        public static Server Start(string database, int smtpPort, int? claimSeconds, int stopWaitSeconds = 10)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                Environment =
                {
                    ["DOTNET_NOLOGO"] = "1",
                    ["Logging__LogLevel__Default"] = "Warning",
                    ["Logging__LogLevel__Aftercare.App.Messaging.OutboxWorker"] = "Information",
                    ["Aftercare__Messaging__RunWorker"] = "true",
                    ["Aftercare__Messaging__PollSeconds"] = "1",
                    ["Aftercare__Messaging__StopWaitSeconds"] = stopWaitSeconds.ToString(CultureInfo.InvariantCulture),
                    ["Aftercare__Messaging__Smtp__Host"] = "127.0.0.1",
                    ["Aftercare__Messaging__Smtp__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
                    ["Aftercare__BulkExport__RunWorker"] = "false",
                },
            };
            if (claimSeconds is { } seconds)
            {
                start.Environment["Aftercare__Messaging__ClaimSeconds"] = seconds.ToString(CultureInfo.InvariantCulture);
            }

            if (AftercareApplication.Provider == "postgres")
            {
                // The keys of the test run (./data/keys), as the in-process app has them (see CliTests).
                start.Environment["Aftercare__DataProtection__KeysFolder"] = Path.GetFullPath(Path.Combine("data", "keys"));
            }

            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "aftercare.dll"), "serve", "--db", database, "--urls", "http://127.0.0.1:0" })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
            var server = new Server(process);
            process.OutputDataReceived += (_, e) => server.Keep(e.Data);
            process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close();
            return server;
        }

        private void Keep(string? line)
        {
            if (line is not null)
            {
                _output.Enqueue(line);
            }
        }

        public Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

        /// <summary>Polls until the condition holds; fails, with the server's output, if it dies first or <see cref="Patience"/> runs out.</summary>
        public async Task UntilAsync(Func<Task<bool>> condition, string what)
        {
            var clock = Stopwatch.StartNew();
            while (!await condition())
            {
                if (_process.HasExited && !await condition())
                {
                    Assert.Fail($"The server exited ({_process.ExitCode}) before {what}:\n{Output}");
                }

                Assert.True(clock.Elapsed < Patience, $"Waited {Patience.TotalSeconds} s and still not: {what}. The server's output:\n{Output}");
                await Task.Delay(50, TestContext.Current.CancellationToken); // polling, bounded by Patience
            }
        }

        /// <summary>SIGKILL, as kill -9: the process gets no chance to do anything.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        /// <summary>SIGTERM, as systemd or docker stop sends: a graceful stop.</summary>
        public async Task TerminateAsync()
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, kill.ExitCode);
        }

        /// <summary>Waits for the process to end by itself (bounded) and returns its exit code.</summary>
        public async Task<int> ExitAsync()
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            limit.CancelAfter(Patience);
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The server did not stop within {Patience.TotalSeconds} s of SIGTERM:\n{Output}");
            }

            _process.WaitForExit(); // and its output read to the end
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }

            _process.Dispose();
        }
    }
}
