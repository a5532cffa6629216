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

    /// <summary>Run the sending worker inside `serve` (turn off to run it elsewhere).</summary>
    public bool RunWorker { get; set; } = true;

    public int PollSeconds { get; set; } = 15;

    /// <summary>After this many failed tries a message is marked failed, for staff to see.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How long a worker may hold a message before another may take it over.</summary>
    public int ClaimMinutes { get; set; } = 5;
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
