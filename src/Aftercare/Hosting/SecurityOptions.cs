namespace Aftercare.Hosting;

/// <summary>Sessions and rate limits (section "Aftercare:Security" of appsettings.json; docs/security.md).</summary>
public sealed class SecurityOptions
{
    /// <summary>A session unused for this long ends (sliding: each request starts it again).</summary>
    public int InactivityMinutes { get; set; } = 20;

    /// <summary>However active, a session ends this long after sign-in.</summary>
    public int SessionHours { get; set; } = 8;

    /// <summary>How often a session is checked against the account (disabled, roles changed). At most 60.</summary>
    public int AccountCheckSeconds { get; set; } = 30;

    public RateLimitOptions RateLimits { get; set; } = new();

    public SignInThrottleOptions SignInThrottle { get; set; } = new();

    public static SecurityOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection("Aftercare:Security").Get<SecurityOptions>() ?? new SecurityOptions();
        // Issue #6: a disabled account or a removed role takes effect within 60 seconds.
        options.AccountCheckSeconds = Math.Clamp(options.AccountCheckSeconds, 1, 60);
        options.InactivityMinutes = Math.Max(1, options.InactivityMinutes);
        options.SessionHours = Math.Max(1, options.SessionHours);
        options.SignInThrottle.WindowMinutes = Math.Max(1, options.SignInThrottle.WindowMinutes);
        return options;
    }
}

/// <summary>Requests allowed per minute before the answer is 429 Too Many Requests.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Sign-in, code and token requests from one client address.</summary>
    public int SignInPerMinute { get; set; } = 10;

    /// <summary>/api and /fhir requests by one signed-in user (or, unsigned, one client address).</summary>
    public int ApiPerMinute { get; set; } = 600;

    /// <summary>Requests for a person's private-link pages (/my-plan, /feedback, /opt-out) from one client address.</summary>
    public int PrivateLinkPerMinute { get; set; } = 30;
}

/// <summary>
/// Failed sign-ins allowed from one client address before it is answered 429 without the attempt
/// reaching any account (docs/security.md, "Lockout and throttling").
/// </summary>
public sealed class SignInThrottleOptions
{
    /// <summary>Failures from one address, whatever the accounts, within the window.</summary>
    public int FailuresPerSource { get; set; } = 30;

    /// <summary>Failures from one address for one email within the window: below the lockout's 5, so no one address can lock an account.</summary>
    public int FailuresPerSourceAndAccount { get; set; } = 3;

    public int WindowMinutes { get; set; } = 15;
}
