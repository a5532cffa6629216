namespace Aftercare.Domain.Messaging;

/// <summary>
/// When the care team is at work to read what people write (issue 14.5 and 14.6), in the service's
/// local time: the days of the week and the hours. Outside them a person who writes is told at once
/// when someone will read it, with the crisis lines; a request to talk is due within these hours.
/// </summary>
public sealed record StaffedHours(IReadOnlySet<DayOfWeek> Days, TimeOnly From, TimeOnly Until)
{
    /// <summary>Monday to Friday, 9am to 5pm.</summary>
    public static StaffedHours Default { get; } = new(
        new HashSet<DayOfWeek> { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }, new TimeOnly(9, 0), new TimeOnly(17, 0));

    public bool IsValid => Days.Count > 0 && From < Until;

    public bool IsStaffed(DateTime local) =>
        Days.Contains(local.DayOfWeek) && TimeOnly.FromDateTime(local) >= From && TimeOnly.FromDateTime(local) < Until;

    /// <summary>The first staffed moment at or after <paramref name="local"/>.</summary>
    public DateTime NextStaffed(DateTime local)
    {
        if (!IsValid || IsStaffed(local))
        {
            return local;
        }

        var day = local.Date;
        if (Days.Contains(day.DayOfWeek) && TimeOnly.FromDateTime(local) < From)
        {
            return day + From.ToTimeSpan();
        }

        for (var i = 1; i <= 7; i++)
        {
            if (Days.Contains(day.AddDays(i).DayOfWeek))
            {
                return day.AddDays(i) + From.ToTimeSpan();
            }
        }

        return local;
    }

    /// <summary><paramref name="hours"/> of staffed time after <paramref name="local"/>: what "within 4 working hours" means.</summary>
    public DateTime AddStaffedHours(DateTime local, double hours)
    {
        if (!IsValid)
        {
            return local.AddHours(hours);
        }

        var left = TimeSpan.FromHours(hours);
        var at = NextStaffed(local);
        while (true)
        {
            var endOfDay = at.Date + Until.ToTimeSpan();
            if (at + left <= endOfDay)
            {
                return at + left;
            }

            left -= endOfDay - at;
            at = NextStaffed(endOfDay);
        }
    }

    /// <summary>As people read it: "Monday to Friday, 9:00 to 17:00".</summary>
    public string Describe()
    {
        var order = new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday };
        var days = order.Where(Days.Contains).ToList();
        var contiguous = days.Count > 1 && Array.IndexOf(order, days[^1]) - Array.IndexOf(order, days[0]) == days.Count - 1;
        var named = days.Count == 7 ? "Every day" : contiguous ? $"{days[0]} to {days[^1]}" : string.Join(", ", days);
        return $"{named}, {From:HH\\:mm} to {Until:HH\\:mm}";
    }
}
