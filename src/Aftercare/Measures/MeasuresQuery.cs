using System.Globalization;
using Aftercare.App;
using Aftercare.App.Measures;
using Aftercare.Domain.People;

namespace Aftercare.Measures;

/// <summary>The dashboard's filters as they travel in the address: periods, sites and bands only, never anyone's details.</summary>
public sealed record MeasuresQuery(string? From, string? To, string? Site, string? Age, string? Sex, string? History, string? By)
{
    public (MeasureFilter Filter, Breakdown By, IReadOnlyList<string> Problems) Parse(DateTimeOffset now, LocalTime time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var problems = new List<string>();
        var today = DateOnly.FromDateTime(time.ToLocal(now));
        var to = Month(To, "to", problems) is { } t ? t.AddMonths(1).AddDays(-1) : today;
        var from = Month(From, "from", problems) ?? new DateOnly(to.Year, to.Month, 1).AddMonths(-11);
        if (from > to)
        {
            problems.Add("The first month is after the last.");
            (from, to) = (to, from);
        }

        if ((to.Year - from.Year) * 12 + to.Month - from.Month >= 60)
        {
            problems.Add("Choose at most five years.");
            from = new DateOnly(to.Year, to.Month, 1).AddMonths(-59);
        }

        Guid? site = Guid.TryParse(Site, out var s) ? s : null;
        var age = AgeBands.All.Contains(Age) ? Age : null;
        var sex = Enum.TryParse<Sex>(Sex, out var x) && Enum.IsDefined(x) ? x : (Sex?)null;
        var history = Enum.TryParse<PriorPsychiatricHistory>(History, out var h) && Enum.IsDefined(h) ? h : (PriorPsychiatricHistory?)null;
        var by = Enum.TryParse<Breakdown>(By, ignoreCase: true, out var b) && Enum.IsDefined(b) ? b : Breakdown.Site;
        return (new MeasureFilter(from, to, site, age, sex, history), by, problems);
    }

    private static DateOnly? Month(string? value, string name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
        {
            return month;
        }

        problems.Add($"\"{name}\" is a month like 2026-04.");
        return null;
    }

    public string ToQueryString() => string.Join('&', new[] { ("from", From), ("to", To), ("site", Site), ("age", Age), ("sex", Sex), ("history", History), ("by", By) }
        .Where(p => !string.IsNullOrEmpty(p.Item2)).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
}
