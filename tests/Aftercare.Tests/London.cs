using System.Globalization;

namespace Aftercare.Tests;

/// <summary>Times as a person types them into the service's forms: local to London, to the minute.</summary>
public static class London
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public static string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
}
