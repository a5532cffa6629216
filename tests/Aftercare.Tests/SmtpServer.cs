using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Aftercare.Tests;

/// <summary>
/// A real SMTP server on loopback: Debian's python3-aiosmtpd (installed by ./test.sh), storing what
/// it receives in a Maildir the test reads. Under CI a missing server fails; it never skips.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly Process _process;

    private SmtpServer(Process process, int port, string maildir)
    {
        _process = process;
        Port = port;
        Maildir = maildir;
    }

    public int Port { get; }

    public string Maildir { get; }

    public static async Task<SmtpServer> StartAsync()
    {
        var port = FreePort();
        var maildir = Path.Combine(Path.GetTempPath(), "aftercare-mail", Guid.NewGuid().ToString("N"));
        foreach (var folder in new[] { "tmp", "new", "cur" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, folder));
        }
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 -m aiosmtpd did not start (apt-get install python3-aiosmtpd).");
        for (var i = 0; i < 200; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("aiosmtpd exited: " + await process.StandardError.ReadToEndAsync());
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new SmtpServer(process, port, maildir);
            }
            catch (SocketException)
            {
                await Task.Delay(50); // polling for the port to open, not a fixed sleep
            }
        }

        process.Kill(true);
        throw new InvalidOperationException("aiosmtpd did not listen in time.");
    }

    /// <summary>Every message received so far, in the order it arrived (by the time each file was written: Python's Maildir names do not sort in time order within a second).</summary>
    public IReadOnlyList<MimeMessage> Received()
    {
        var folder = Path.Combine(Maildir, "new");
        return Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder).OrderBy(File.GetLastWriteTimeUtc).ThenBy(f => f, StringComparer.Ordinal).Select(f => MimeMessage.Load(f))]
            : [];
    }

    public int Count => Directory.Exists(Path.Combine(Maildir, "new")) ? Directory.GetFiles(Path.Combine(Maildir, "new")).Length : 0;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Maildir, true);
        }
        catch (IOException)
        {
            // Left for the temp folder's cleaning.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A stand-in SMS gateway on loopback: it records what the HTTP gateway sender posts.</summary>
public sealed class SmsGateway : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public SmsGateway()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/sms/";
        }

        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                try
                {
                    var context = await _listener.GetContextAsync();
                    using var reader = new StreamReader(context.Request.InputStream);
                    Received.Enqueue((context.Request.Headers["Authorization"], await reader.ReadToEndAsync()));
                    context.Response.StatusCode = 202;
                    context.Response.Close();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        });
    }

    public string Url { get; }

    public System.Collections.Concurrent.ConcurrentQueue<(string? Authorization, string Body)> Received { get; } = new();

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}

/// <summary>The application with its messages going to a real SMTP server and an SMS gateway on loopback.</summary>
public sealed class MessagingFixture : IAsyncLifetime
{
    public SmtpServer Smtp { get; private set; } = default!;

    public SmsGateway Sms { get; } = new();

    public AftercareApplication App { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        Smtp = await SmtpServer.StartAsync();
        App = new AftercareApplication(new Dictionary<string, string?>
        {
            ["Aftercare:Messaging:Smtp:Host"] = "127.0.0.1",
            ["Aftercare:Messaging:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Aftercare:Messaging:PublicBaseUrl"] = "http://aftercare.test",
            ["Aftercare:Messaging:Sms:GatewayUrl"] = Sms.Url,
            ["Aftercare:Messaging:Sms:ApiKey"] = "test-key",
        });
        await App.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        Sms.Dispose();
    }
}
