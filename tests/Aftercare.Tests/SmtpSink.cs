using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Aftercare.Tests;

/// <summary>
/// A minimal SMTP server on loopback, in the process that drives the server under test, that can
/// hold a connection: before its greeting (the worker has claimed a message and is sending it), or
/// after taking the whole message but before its "250". It records the Message-ID of every message
/// it has taken, in order. Shared by OutboxKillTests and the bench's crash-outbox (linked into
/// bench/Aftercare.Bench), which kill the server while a connection is held. For everything else the
/// tests use a real SMTP server, Debian's aiosmtpd (SmtpServer.cs).
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    public enum Mode
    {
        Accept,
        HoldGreeting,
        HoldAnswer,
    }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<string> _received = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _gateLock = new();
    private volatile Mode _mode;
    private int _heldCount;

    /// <summary>Completed when the connections held now are let go: true, they go on; false, they are closed.</summary>
    private TaskCompletionSource<bool> _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SmtpSink()
    {
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections have been held since the last <see cref="Set"/> or <see cref="Release"/>.</summary>
    public int Held => Volatile.Read(ref _heldCount);

    /// <summary>The Message-ID header of every message taken (whether or not its "250" was sent), in order.</summary>
    public IReadOnlyList<string> Received => [.. _received];

    /// <summary>How new connections are served; the connections held so far are closed.</summary>
    public void Set(Mode mode)
    {
        _mode = mode;
        Open(false);
    }

    /// <summary>The connections held so far go on as if they had not been held; new ones are served as before.</summary>
    public void Release() => Open(true);

    public int Count(Guid message) => _received.Count(id => id.Contains($"{message}@aftercare", StringComparison.OrdinalIgnoreCase));

    private void Open(bool goOn)
    {
        TaskCompletionSource<bool> gate;
        lock (_gateLock)
        {
            gate = _gate;
            _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _heldCount, 0);
        }

        gate.SetResult(goOn);
    }

    /// <summary>Holds the connection until the next <see cref="Set"/> or <see cref="Release"/>; true if it is to go on.</summary>
    private Task<bool> Hold()
    {
        lock (_gateLock)
        {
            Interlocked.Increment(ref _heldCount);
            return _gate.Task;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                if (_mode == Mode.HoldGreeting && !await Hold())
                {
                    return;
                }

                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, false, 4096, leaveOpen: true);
                await using var writer = new StreamWriter(stream, Encoding.ASCII, 4096, leaveOpen: true) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 sink ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    var verb = line.Split(' ')[0].ToUpperInvariant();
                    if (verb == "DATA")
                    {
                        await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                        var id = "";
                        while (await reader.ReadLineAsync() is { } data && data != ".")
                        {
                            if (data.StartsWith("Message-Id:", StringComparison.OrdinalIgnoreCase))
                            {
                                id = data["Message-Id:".Length..].Trim();
                            }
                        }

                        _received.Enqueue(id);
                        if (_mode == Mode.HoldAnswer && !await Hold())
                        {
                            return;
                        }

                        await writer.WriteLineAsync("250 taken");
                    }
                    else if (verb == "QUIT")
                    {
                        await writer.WriteLineAsync("221 bye");
                        break;
                    }
                    else
                    {
                        await writer.WriteLineAsync(verb is "EHLO" or "HELO" ? "250 sink" : "250 ok");
                    }
                }
            }
            catch (IOException)
            {
                // The worker went away (it was killed).
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        Set(Mode.Accept);
        _stop.Dispose();
    }
}
