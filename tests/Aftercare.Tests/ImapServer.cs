using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Aftercare.Tests;

/// <summary>
/// A real IMAP server on loopback: Debian's Dovecot (dovecot-imapd, installed by ./test.sh), run in
/// the foreground with its own configuration in a temporary folder, one mailbox, plain login (no TLS
/// on loopback). The test delivers into it over IMAP as a mail server would; the application reads
/// it with MailKit. Under CI a missing server fails; it never skips.
/// </summary>
public sealed class ImapServer : IAsyncDisposable
{
    public const string UserName = "replies";
    public const string Password = "test-imap-password";
    private const string Dovecot = "/usr/sbin/dovecot";
    private readonly Process _process;
    private readonly string _folder;

    private ImapServer(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        _folder = folder;
    }

    public int Port { get; }

    public static async Task<ImapServer> StartAsync()
    {
        if (!File.Exists(Dovecot))
        {
            throw new InvalidOperationException("Dovecot is not installed (apt-get install dovecot-imapd; ./test.sh does it).");
        }

        var port = FreePort();
        // Short: Dovecot's sockets live under it, and a socket path is at most 108 bytes.
        var folder = Path.Combine(Path.GetTempPath(), "ac-imap-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var sub in new[] { "run", "state", "home" })
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
        }

        // Dovecot refuses to serve mail as root: as root (CI), its processes and the mailbox run as nobody.
        var root = Environment.UserName == "root";
        if (root && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(folder, "home"), (UnixFileMode)0x1FF);
        }

        var (user, uid, gid) = root ? ("nobody", "nobody", "nogroup") : (Environment.UserName, Environment.UserName, Ids("Gid:"));
        await File.WriteAllTextAsync(Path.Combine(folder, "users"), $"{UserName}:{{PLAIN}}{Password}\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "dovecot.conf"), $$"""
            protocols = imap
            listen = 127.0.0.1
            base_dir = {{folder}}/run
            state_dir = {{folder}}/state
            log_path = {{folder}}/dovecot.log
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            default_internal_user = {{user}}
            default_login_user = {{user}}
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{folder}}/users
            }
            userdb {
              driver = static
              args = uid={{uid}} gid={{gid}} home={{folder}}/home/%u
            }
            mail_location = maildir:~/Maildir
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{port}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service stats {
              unix_listener stats-reader {
                mode = 0666
              }
              unix_listener stats-writer {
                mode = 0666
              }
            }
            """);
        var start = new ProcessStartInfo(Dovecot) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-F", "-c", Path.Combine(folder, "dovecot.conf") })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dovecot did not start.");
        for (var i = 0; i < 200; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("dovecot exited: " + await process.StandardError.ReadToEndAsync() + Log(folder));
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new ImapServer(process, port, folder);
            }
            catch (SocketException)
            {
                await Task.Delay(50); // polling for the port to open, not a fixed sleep
            }
        }

        process.Kill(true);
        throw new InvalidOperationException("dovecot did not listen in time." + Log(folder));
    }

    /// <summary>The configuration that points the application at this mailbox.</summary>
    public Dictionary<string, string?> Settings(string address) => new()
    {
        ["Aftercare:Messaging:Replies:Imap:Host"] = "127.0.0.1",
        ["Aftercare:Messaging:Replies:Imap:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Aftercare:Messaging:Replies:Imap:UseSsl"] = "false",
        ["Aftercare:Messaging:Replies:Imap:UserName"] = UserName,
        ["Aftercare:Messaging:Replies:Imap:Password"] = Password,
        ["Aftercare:Messaging:Replies:Imap:Address"] = address,
    };

    /// <summary>Delivers an email into the inbox, unseen, as the receiving mail server would.</summary>
    public async Task DeliverAsync(MimeMessage email)
    {
        using var client = await OpenAsync();
        await client.Inbox.AppendAsync(email, MessageFlags.None);
        await client.DisconnectAsync(true);
    }

    /// <summary>The flags of every email in the inbox, by its Message-ID.</summary>
    public async Task<IReadOnlyList<(string? MessageId, MessageFlags Flags)>> FlagsAsync()
    {
        using var client = await OpenAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var summaries = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Flags);
        await client.DisconnectAsync(true);
        return [.. summaries.Select(s => (s.Envelope?.MessageId, s.Flags ?? MessageFlags.None))];
    }

    private async Task<ImapClient> OpenAsync()
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(UserName, Password);
        return client;
    }

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
            Directory.Delete(_folder, true);
        }
        catch (IOException)
        {
            // Left for the temp folder's cleaning.
        }
        catch (UnauthorizedAccessException)
        {
            // Files written as nobody: left for the temp folder's cleaning.
        }
    }

    private static string Ids(string field) =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

    private static string Log(string folder)
    {
        var log = Path.Combine(folder, "dovecot.log");
        return File.Exists(log) ? " " + File.ReadAllText(log) : "";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
