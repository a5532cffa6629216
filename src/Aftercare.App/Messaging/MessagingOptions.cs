namespace Aftercare.App.Messaging;

/// <summary>How caring messages leave Aftercare (section Aftercare:Messaging).</summary>
public sealed class MessagingOptions
{
    /// <summary>
    /// The address people's links point at, e.g. https://aftercare.example.nhs.uk. Empty (the
    /// default): Aftercare:PublicBaseUrl, or else the address the server listens on (--urls).
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>Where links point when <see cref="PublicBaseUrl"/> is empty; set by the host.</summary>
    public Func<string>? ResolveBaseUrl { get; set; }

    /// <summary>The base of every link in a message, without a trailing slash.</summary>
    public string LinkBase => (string.IsNullOrWhiteSpace(PublicBaseUrl) ? ResolveBaseUrl?.Invoke() ?? "http://127.0.0.1:5000" : PublicBaseUrl).TrimEnd('/');

    public SmtpOptions Smtp { get; init; } = new();

    /// <summary>
    /// Whether messages on a channel can leave: an SMTP host for email, a gateway for texts. Until
    /// then the worker leaves them waiting, untried, and the person's record says why.
    /// </summary>
    public bool CanSend(Aftercare.Domain.Messaging.MessageChannel channel) =>
        channel == Aftercare.Domain.Messaging.MessageChannel.Email ? !string.IsNullOrWhiteSpace(Smtp.Host) : !string.IsNullOrWhiteSpace(Sms.GatewayUrl);

    public SmsOptions Sms { get; init; } = new();

    /// <summary>Replies from people, and the hours the care team reads them (issue 14.5 and 14.6).</summary>
    public RepliesOptions Replies { get; init; } = new();

    /// <summary>Run the sending worker inside `serve` (turn off to run it elsewhere).</summary>
    public bool RunWorker { get; set; } = true;

    public int PollSeconds { get; set; } = 15;

    /// <summary>After this many failed tries a message is marked failed, for staff to see.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How long a worker may hold a message before another may take it over.</summary>
    public int ClaimMinutes { get; set; } = 5;

    /// <summary>The claim in seconds, if set (instead of <see cref="ClaimMinutes"/>): for tests that wait for one to expire.</summary>
    public int? ClaimSeconds { get; set; }

    /// <summary>How long a worker holds each message it claims.</summary>
    public TimeSpan Claim => ClaimSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(ClaimMinutes);

    /// <summary>
    /// On a stop request, how long a message being sent is given to finish. One the server has not
    /// taken by then is given up and its claim released, so the next start sends it at once.
    /// </summary>
    public int StopWaitSeconds { get; set; } = 10;

    /// <summary>What does not make sense in these settings, or null: Aftercare does not start with a claim of nothing.</summary>
    public string? Problem() =>
        ClaimMinutes < 1 ? $"Aftercare:Messaging:ClaimMinutes is {ClaimMinutes}; a claim is at least 1 minute."
        : ClaimSeconds < 1 ? $"Aftercare:Messaging:ClaimSeconds is {ClaimSeconds}; a claim is at least 1 second."
        : StopWaitSeconds is < 0 or > 300 ? $"Aftercare:Messaging:StopWaitSeconds is {StopWaitSeconds}; it is from 0 to 300 seconds."
        : null;
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    public string From { get; set; } = "aftercare@localhost";

    public string FromName { get; set; } = "Aftercare team";

    public bool UseStartTls { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }
}

public sealed class SmsOptions
{
    /// <summary>An HTTP gateway that takes POST {"to": "...", "text": "..."}; empty means no SMS.</summary>
    public string? GatewayUrl { get; set; }

    public string? ApiKey { get; set; }
}

/// <summary>
/// Replies from people (section Aftercare:Messaging:Replies): the SMS gateway's inbound webhook, the
/// reply mailbox read over IMAP, and the care team's staffed hours.
/// </summary>
public sealed class RepliesOptions
{
    /// <summary>
    /// The secret the SMS gateway signs its inbound calls with (HMAC-SHA256). Empty: the webhook
    /// answers 503, so no unsigned text is ever taken.
    /// </summary>
    public string? SmsWebhookSecret { get; set; }

    /// <summary>A signed call older (or newer) than this is refused as a replay.</summary>
    public int SmsWebhookToleranceSeconds { get; set; } = 300;

    public ImapOptions Imap { get; init; } = new();

    /// <summary>The days the care team is at work (names, e.g. "Monday").</summary>
    public List<DayOfWeek> StaffedDays { get; init; } = [];

    public string StaffedFrom { get; set; } = "09:00";

    public string StaffedUntil { get; set; } = "17:00";

    /// <summary>A request to talk is due this many staffed hours after the person asks.</summary>
    public double TalkWithinStaffedHours { get; set; } = 4;

    /// <summary>The staffed hours, Monday to Friday 9 to 5 unless configured.</summary>
    public Aftercare.Domain.Messaging.StaffedHours StaffedHours()
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        var days = StaffedDays.Count > 0 ? StaffedDays.ToHashSet() : Aftercare.Domain.Messaging.StaffedHours.Default.Days;
        var from = TimeOnly.TryParse(StaffedFrom, culture, out var f) ? f : new TimeOnly(9, 0);
        var until = TimeOnly.TryParse(StaffedUntil, culture, out var u) ? u : new TimeOnly(17, 0);
        return new Aftercare.Domain.Messaging.StaffedHours(days, from, until);
    }
}

/// <summary>The mailbox people's email replies arrive in; empty host: no email replies are read.</summary>
public sealed class ImapOptions
{
    public string? Host { get; set; }

    /// <summary>The address of this mailbox: caring emails carry it as Reply-To, so a person's answer arrives here.</summary>
    public string? Address { get; set; }

    public int Port { get; set; } = 993;

    /// <summary>TLS from the start (993). Off for a server on loopback in tests, or STARTTLS where offered.</summary>
    public bool UseSsl { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public int PollSeconds { get; set; } = 60;
}
