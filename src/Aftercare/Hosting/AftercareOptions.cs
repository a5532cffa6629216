using Aftercare.App.Sites;

namespace Aftercare.Hosting;

/// <summary>Site configuration (section "Aftercare" of appsettings.json).</summary>
public sealed class AftercareOptions
{
    /// <summary>The time zone in which staff enter and read times (IANA id).</summary>
    public string TimeZone { get; set; } = "Europe/London";

    /// <summary>Apply pending migrations when `serve` starts (turn off to migrate by hand with `aftercare migrate`).</summary>
    public bool MigrateOnStart { get; set; } = true;

    public List<SiteSetting> Sites { get; init; } = [];

    /// <summary>24-hour crisis lines printed on every safety plan (DOMAIN.md rule 7).</summary>
    public List<CrisisLine> CrisisLines { get; init; } = [];

    /// <summary>How long a person's private safety-plan link works.</summary>
    public int SafetyPlanLinkDays { get; set; } = 90;

    /// <summary>Chromium for PDFs; found in Debian's locations when empty.</summary>
    public string? ChromiumPath { get; set; }
}

/// <summary>A crisis line as configured for the site.</summary>
public sealed record CrisisLine(string Name, string Number, string Hours);

/// <summary>Times as staff read and enter them, in the service's time zone.</summary>
public sealed class LocalTime(TimeZoneInfo zone)
{
    public TimeZoneInfo Zone { get; } = zone;

    public DateTime ToLocal(DateTimeOffset value) => TimeZoneInfo.ConvertTime(value, Zone).DateTime;

    public DateTimeOffset FromLocal(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, Zone.GetUtcOffset(unspecified)).ToUniversalTime();
    }

    public string Format(DateTimeOffset value) => ToLocal(value).ToString("ddd d MMM yyyy, HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public string FormatDate(DateTimeOffset value) => ToLocal(value).ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
}

public static class AftercareOptionsRegistration
{
    public static IServiceCollection AddAftercareOptions(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Aftercare").Get<AftercareOptions>() ?? new AftercareOptions();
        services.AddSingleton(options);
        services.AddSingleton(new LocalTime(TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone)));
        return services;
    }
}
