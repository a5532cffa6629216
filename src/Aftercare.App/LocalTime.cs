namespace Aftercare.App;

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

    /// <summary>
    /// A time of day on the day <paramref name="days"/> after <paramref name="from"/>, in the
    /// service's zone: a contact "at 10:00 on day 14" stays at 10:00 across a clock change.
    /// </summary>
    public DateTimeOffset DayAfter(DateTimeOffset from, int days, TimeOnly at)
    {
        var day = DateOnly.FromDateTime(ToLocal(from)).AddDays(days);
        return FromLocal(day.ToDateTime(at));
    }

    /// <summary>The first instant of tomorrow in the service's zone.</summary>
    public DateTimeOffset EndOfToday(DateTimeOffset now) => FromLocal(DateOnly.FromDateTime(ToLocal(now)).AddDays(1).ToDateTime(TimeOnly.MinValue));

    public string FormatDate(DateTimeOffset value) => ToLocal(value).ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
