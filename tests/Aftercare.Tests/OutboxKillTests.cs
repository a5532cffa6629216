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
/// same kills with the production claim of a minute. The server started again is the next test's
/// first server: one start a test, not two.
/// </summary>
public sealed class OutboxKillTests(OutboxKillFixture fixture) : IClassFixture<OutboxKillFixture>
{
    private sealed record Row(MessageStatus Status, string? ClaimedBy, DateTimeOffset? ClaimedUntil, DateTimeOffset? SentAt, int Attempts);

    private AftercareApplication App => fixture.App;

    private SmtpSink Smtp => fixture.Smtp;

    [Fact]
    public async Task Killed_between_claim_and_send_the_message_is_sent_exactly_once_after_the_restart()
    {
        Smtp.Set(SmtpSink.Mode.HoldGreeting);
        var (person, message) = await QueueAsync();
        var first = fixture.Running;
        await first.UntilAsync(() => Smtp.Held > 0, "the worker claimed the message and connected to the SMTP server");
        var claimed = await RowAsync(message);
        Assert.Equal(MessageStatus.Pending, claimed.Status);
        Assert.NotNull(claimed.ClaimedBy);
        first.Kill();
        Assert.Empty(Of(message));

        Smtp.Set(SmtpSink.Mode.Accept);
        var second = fixture.Restart();
        await second.UntilAsync(async () => (await RowAsync(message)).Status == MessageStatus.Sent, "the restarted worker sent the message");
        var sent = await RowAsync(message);
        // The dead worker's claim was waited out, not ignored.
        Assert.True(sent.SentAt >= claimed.ClaimedUntil, $"sent at {sent.SentAt:O}, before the dead worker's claim ran out at {claimed.ClaimedUntil:O}");
        var later = await SentinelAsync(second, person);
        Assert.Equal([Id(message), Id(later)], Of(message, later));
    }

    [Fact]
    public async Task Killed_after_the_SMTP_server_took_the_message_but_before_its_answer_it_is_sent_again_with_the_same_Message_ID()
    {
        Smtp.Set(SmtpSink.Mode.HoldAnswer);
        var (person, message) = await QueueAsync();
        var first = fixture.Running;
        await first.UntilAsync(() => Smtp.Held > 0, "the SMTP server took the whole message and holds its answer");
        Assert.NotNull((await RowAsync(message)).ClaimedBy);
        first.Kill();
        Assert.Equal([Id(message)], Of(message));

        // ADR 0007's window: the SMTP server has the message, the row is not marked sent. At least once, never
        // lost, and the second copy carries the same Message-ID, so it can be recognised downstream.
        Smtp.Set(SmtpSink.Mode.Accept);
        var second = fixture.Restart();
        await second.UntilAsync(async () => (await RowAsync(message)).Status == MessageStatus.Sent, "the restarted worker sent the message");
        var later = await SentinelAsync(second, person);
        Assert.Equal([Id(message), Id(message), Id(later)], Of(message, later));
    }

    [Fact]
    public async Task Stopped_gracefully_while_sending_the_worker_finishes_the_message_and_the_restart_does_not_send_it_again()
    {
        Smtp.Set(SmtpSink.Mode.HoldGreeting);
        var (person, message) = await QueueAsync();
        var first = fixture.Running;
        await first.UntilAsync(() => Smtp.Held > 0, "the worker claimed the message and connected to the SMTP server");
        await first.TerminateAsync();
        await first.UntilAsync(() => first.Output.Contains("Stopping: the message being sent", StringComparison.Ordinal), "the worker was told to stop mid-send");
        // The SMTP server keeps it waiting a while longer (within StopWaitSeconds): past the 2 seconds
        // after which System.CommandLine used to end the process, whatever the worker was sending.
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        Smtp.Release();
        Assert.True(await first.ExitAsync() == 0, first.Output);
        Assert.Equal(MessageStatus.Sent, (await RowAsync(message)).Status);
        Assert.Equal([Id(message)], Of(message));

        Smtp.Set(SmtpSink.Mode.Accept);
        var later = await SentinelAsync(fixture.Restart(), person);
        Assert.Equal([Id(message), Id(later)], Of(message, later));
    }

    [Fact]
    public async Task Stopped_gracefully_while_the_SMTP_server_does_not_answer_the_worker_releases_the_message_and_the_restart_sends_it_once()
    {
        Smtp.Set(SmtpSink.Mode.HoldGreeting);
        var (_, message) = await QueueAsync();
        var first = fixture.Running;
        await first.UntilAsync(() => Smtp.Held > 0, "the worker claimed the message and connected to the SMTP server");
        await first.TerminateAsync();
        Assert.True(await first.ExitAsync() == 0, first.Output);
        Assert.Contains("claim released", first.Output, StringComparison.Ordinal);

        // Released, not a failed try: no claim left to wait out, no try counted.
        var released = await RowAsync(message);
        Assert.Equal((MessageStatus.Pending, null, null, 0), (released.Status, released.ClaimedBy, released.ClaimedUntil, released.Attempts));
        Assert.Empty(Of(message));

        Smtp.Set(SmtpSink.Mode.Accept);
        await fixture.Restart().UntilAsync(async () => (await RowAsync(message)).Status == MessageStatus.Sent, "the restarted worker sent the released message");
        Assert.Equal([Id(message)], Of(message));
    }

    [Theory]
    [InlineData("ClaimSeconds", "0")]
    [InlineData("ClaimMinutes", "0")]
    [InlineData("StopWaitSeconds", "-1")]
    public async Task A_claim_of_nothing_or_a_stop_wait_out_of_range_keeps_the_server_from_starting_and_says_which(string setting, string value)
    {
        var (code, _, error) = await CliTests.AftercareWith(
            new Dictionary<string, string?> { [$"Aftercare:Messaging:{setting}"] = value }, null, "serve", "--db", App.Database, "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, code);
        Assert.Contains($"aftercare will not start: Aftercare:Messaging:{setting} is {value}", error, StringComparison.Ordinal);
    }

    private static string Id(Guid message) => $"<{message}@aftercare>";

    /// <summary>The Message-IDs the SMTP server has taken of these messages, in the order it took them.</summary>
    private List<string> Of(params Guid[] messages) => [.. Smtp.Received.Where(r => messages.Any(m => r == Id(m)))];

    /// <summary>
    /// A person who prefers email and a caring message to them through the record's "Send a message";
    /// every other message waiting in the database is cancelled first, so the server sends only this one.
    /// </summary>
    private async Task<(Guid Person, Guid Message)> QueueAsync()
    {
        await App.Read(db => db.OutboxMessages.Where(m => m.Status == MessageStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Cancelled)));
        var client = await App.ClientFor(Roles.Clinician);
        var person = await OutboxTests.PersonWhoPrefersEmail(App, client, $"kill-{Guid.NewGuid():N}@example.org");
        return (person, await SendAsync(client, person, "Thinking of you today."));
    }

    private async Task<Guid> SendAsync(HttpClient client, Guid person, string body)
    {
        var before = await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == person).Select(m => m.Id).ToListAsync());
        var sent = await client.Post($"people/{person}", "message", new Dictionary<string, string> { ["channel"] = "Email", ["body"] = body });
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        return await App.Read(db => db.OutboxMessages.Where(m => m.PersonId == person && !before.Contains(m.Id)).Select(m => m.Id).SingleAsync());
    }

    /// <summary>A later message to the same person, waited for: once it has arrived, the restarted worker has run past the first.</summary>
    private async Task<Guid> SentinelAsync(OutboxKillFixture.Server server, Guid person)
    {
        var later = await SendAsync(await App.ClientFor(Roles.Clinician), person, "And again.");
        await server.UntilAsync(async () => (await RowAsync(later)).Status == MessageStatus.Sent && Smtp.Count(later) > 0, "the restarted worker sent a later message");
        return later;
    }

    private Task<Row> RowAsync(Guid id) => App.Read(db => db.OutboxMessages.AsNoTracking().Where(m => m.Id == id)
        .Select(m => new Row(m.Status, m.ClaimedBy, m.ClaimedUntil, m.SentAt, m.Attempts)).SingleAsync());
}

/// <summary>The test database, the SMTP server the servers send to, and the server running now (one at a time).</summary>
public sealed class OutboxKillFixture : IAsyncLifetime
{
    /// <summary>Short, so that a restarted server takes over a dead one's message in seconds (production: 5 minutes).</summary>
    private const int ClaimSeconds = 3;

    /// <summary>What a stopping worker gives the message it is sending (production: 10 s).</summary>
    private const int StopWaitSeconds = 6;

    /// <summary>Every wait is a bounded poll: generous, so a loaded machine is not a failure; reaching it is one.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private Server? _server;

    public AftercareApplication App { get; } = new();

    internal SmtpSink Smtp { get; } = new();

    /// <summary>The server running now; one is started if none is.</summary>
    internal Server Running => _server is { HasExited: false } running ? running : Restart();

    /// <summary>A new server, in place of the one before (killed or stopped by the test).</summary>
    internal Server Restart()
    {
        _server?.Dispose();
        return _server = Server.Start(App.Database, Smtp.Port, ClaimSeconds, StopWaitSeconds);
    }

    public ValueTask InitializeAsync() => App.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        _server?.Dispose();
        await Smtp.DisposeAsync();
        await App.DisposeAsync();
    }

    /// <summary>`dotnet aftercare.dll serve` on the test's database, its outbox worker on and polling every second; its output kept.</summary>
    internal sealed class Server : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();

        private Server(Process process)
        {
            _process = process;
        }

        public string Output => string.Join('\n', _output);

        public bool HasExited => _process.HasExited;

        public static Server Start(string database, int smtpPort, int claimSeconds, int stopWaitSeconds)
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
                    ["Aftercare__Messaging__ClaimSeconds"] = claimSeconds.ToString(CultureInfo.InvariantCulture),
                    ["Aftercare__BulkExport__RunWorker"] = "false",
                },
            };

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
