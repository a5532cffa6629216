namespace Aftercare.App.Messaging;

/// <summary>How caring messages leave Aftercare (section Aftercare:Messaging).</summary>
public sealed class MessagingOptions
{
    /// <summary>The address people's links point at, e.g. https://aftercare.example.nhs.uk.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5000";

    public SmtpOptions Smtp { get; init; } = new();

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
