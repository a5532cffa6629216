using Aftercare.App;
using Aftercare.App.Messaging;
using Aftercare.App.Programme;
using Aftercare.App.Referrals;
using Aftercare.App.Sites;
using Aftercare.Domain.Interventions;
using Aftercare.Domain.Messaging;
using Aftercare.Domain.Programme;
using Aftercare.Domain.Referrals;

namespace Aftercare.Hosting;

/// <summary>Site configuration (section "Aftercare" of appsettings.json).</summary>
public sealed class AftercareOptions
{
    /// <summary>The time zone in which staff enter and read times (IANA id).</summary>
    public string TimeZone { get; set; } = "Europe/London";

    /// <summary>Apply pending migrations when `serve` starts (turn off to migrate by hand with `aftercare migrate`).</summary>
    public bool MigrateOnStart { get; set; } = true;

    public List<SiteSetting> Sites { get; init; } = [];

    /// <summary>24-hour crisis lines printed on every safety plan (docs/domain.md rule 7).</summary>
    public List<CrisisLine> CrisisLines { get; init; } = [];

    /// <summary>How long a person's private safety-plan link works.</summary>
    public int SafetyPlanLinkDays { get; set; } = 90;

    /// <summary>How long a private link to the feedback form works (it takes one response).</summary>
    public int FeedbackLinkDays { get; set; } = 30;

    /// <summary>Counts from 1 up to this number less one are shown as "fewer than N" (small-number suppression).</summary>
    public int SuppressCountsBelow { get; set; } = Aftercare.Domain.Measures.Suppression.DefaultThreshold;

    /// <summary>The versioned pathway file (docs/domain.md rule 12); relative paths are from the binary's folder.</summary>
    public string PathwaysFile { get; set; } = "pathways.json";

    /// <summary>Scheduled contacts fall at this time of day, in the service's zone.</summary>
    public string ContactTimeOfDay { get; set; } = "10:00";

    /// <summary>`/health/ready` fails when a message has been due and unsent for longer than this.</summary>
    public int OutboxLagLimitMinutes { get; set; } = 30;

    /// <summary>A contact not reached is tried again after this many hours.</summary>
    public int RetryAfterHours { get; set; } = 24;

    /// <summary>After this many tries without reaching the person, the contact is escalated to the care team.</summary>
    public int TriesBeforeEscalation { get; set; } = 3;

    /// <summary>The services directory: clinical and non-clinical services people are referred to.</summary>
    public List<ServiceSetting> Services { get; init; } = [];

    /// <summary>Days each step of a warm handoff may take before it is escalated.</summary>
    public HandoffDeadlines Handoffs { get; set; } = HandoffDeadlines.Default;

    /// <summary>The configured range of therapy sessions (CG133: 3 to 12; NG225 adults: 4 to 10).</summary>
    public SessionRange Sessions { get; set; } = SessionRange.Cg133;

    /// <summary>Chromium for PDFs; found in Debian's locations when empty.</summary>
    public string? ChromiumPath { get; set; }
}

/// <summary>
/// A crisis line as configured for the site. A line with <see cref="Text"/> takes text messages,
/// not calls: its link opens a message to the number with that word already written.
/// </summary>
public sealed record CrisisLine(string Name, string Number, string Hours, string? Text = null)
{
    /// <summary>What to do, as the person reads it: the number, or "text SHOUT to 85258".</summary>
    public string HowToReach => Text is null ? Number : $"text {Text} to {Number}";

    /// <summary>
    /// tel: to call, or sms: with the body; "sms:85258?&amp;body=SHOUT" is the form both iOS and
    /// Android phones read.
    /// </summary>
    public string Href
    {
        get
        {
            var digits = Number.Replace(" ", "", StringComparison.Ordinal);
            return Text is null ? $"tel:{digits}" : $"sms:{digits}?&body={Uri.EscapeDataString(Text)}";
        }
    }
}

public static class AftercareOptionsRegistration
{
    public static IServiceCollection AddAftercareOptions(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Aftercare").Get<AftercareOptions>() ?? new AftercareOptions();
        services.AddSingleton(options);
        services.AddSingleton(new LocalTime(TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone)));
        // A pathway file that does not make sense stops the server here, naming the line.
        var pathways = PathwayFile.Load(Path.Combine(AppContext.BaseDirectory, options.PathwaysFile), [.. options.Services.Select(s => s.Code)]);
        if (!TimeOnly.TryParse(options.ContactTimeOfDay, System.Globalization.CultureInfo.InvariantCulture, out var contactTime))
        {
            throw new PathwayFileException($"Aftercare:ContactTimeOfDay \"{options.ContactTimeOfDay}\" is not a time of day such as 10:00.");
        }

        // One threshold for every published count: the dashboard, its CSV, people's experience and the registry export.
        services.AddSingleton(new App.Measures.MeasuresOptions(options.SuppressCountsBelow));
        services.AddSingleton(configuration.GetSection("Aftercare:Safeguarding").Get<App.Consent.SafeguardingPolicy>() ?? new App.Consent.SafeguardingPolicy());
        services.AddSingleton(new SiteTeams(options.Sites));
        var messaging = configuration.GetSection("Aftercare:Messaging").Get<MessagingOptions>() ?? new MessagingOptions();
        if (messaging.Problem() is { } problem)
        {
            throw new SettingsException(problem);
        }

        // The host waits for the worker's last message (StopWaitSeconds) and for it to release or finish it.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(o.ShutdownTimeout.TotalSeconds, messaging.StopWaitSeconds + 10)));
        // Links in messages point where people reach the server: Aftercare:Messaging:PublicBaseUrl, else
        // Aftercare:PublicBaseUrl, else the address it listens on (--urls), read when the first link is made.
        services.AddSingleton(sp =>
        {
            if (string.IsNullOrWhiteSpace(messaging.PublicBaseUrl))
            {
                var address = sp.GetRequiredService<PublicAddress>();
                messaging.ResolveBaseUrl = () => address.Base.AbsoluteUri;
            }

            return messaging;
        });
        // What a person who writes in is told at once outside staffed hours: the crisis lines, as a text can carry them.
        var lines = options.CrisisLines.Count == 0 ? "call Samaritans on 116 123 (any time), or 999 in an emergency"
            : string.Join("; ", options.CrisisLines.Select(l => $"{l.Name}, {l.HowToReach}"));
        services.AddSingleton(new PersonVoiceSettings(messaging.Replies.StaffedHours(), lines, messaging.Replies.TalkWithinStaffedHours));
        services.AddKeyedSingleton<IMessageSender, SmtpSender>(MessageChannel.Email);
        services.AddHttpClient<HttpSmsSender>();
        services.AddKeyedTransient<IMessageSender>(MessageChannel.Sms, (sp, _) => sp.GetRequiredService<HttpSmsSender>());
        services.AddSingleton<OutboxWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxWorker>());
        services.AddSingleton<EmailReplies>();
        services.AddHostedService(sp => sp.GetRequiredService<EmailReplies>());
        services.AddSingleton(configuration.GetSection("Aftercare:BulkExport").Get<App.Bulk.BulkExportOptions>() ?? new App.Bulk.BulkExportOptions());
        services.AddSingleton<Fhir.Bulk.BulkExportWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<Fhir.Bulk.BulkExportWorker>());
        services.AddSingleton(new AftercareSettings(pathways, contactTime, new RetryRules(options.RetryAfterHours, options.TriesBeforeEscalation), options.Handoffs, options.Sessions));
        return services;
    }
}
