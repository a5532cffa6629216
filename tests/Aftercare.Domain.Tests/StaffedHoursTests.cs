using Aftercare.Domain.Messaging;

namespace Aftercare.Domain.Tests;

/// <summary>Issue 14.5 and 14.6: "within 4 staffed hours" and "read from…", worked out by hand on a calendar.</summary>
public sealed class StaffedHoursTests
{
    private static readonly StaffedHours WeekdaysNineToFive = StaffedHours.Default;

    [Theory]
    // Friday 20 November 2026, 10:00 + 4 staffed hours = 14:00 the same day.
    [InlineData("2026-11-20T10:00", 4, "2026-11-20T14:00")]
    // Friday 15:00: 2 hours left on Friday, 2 more from Monday 09:00 = Monday 11:00.
    [InlineData("2026-11-20T15:00", 4, "2026-11-23T11:00")]
    // Saturday 12:00: nothing until Monday 09:00, then 4 hours = 13:00.
    [InlineData("2026-11-21T12:00", 4, "2026-11-23T13:00")]
    // Thursday 07:30, before opening: from 09:00, 4 hours = 13:00.
    [InlineData("2026-11-19T07:30", 4, "2026-11-19T13:00")]
    // Wednesday 16:00 + 10 hours: 1 on Wednesday, 8 on Thursday, 1 on Friday = Friday 10:00.
    [InlineData("2026-11-18T16:00", 10, "2026-11-20T10:00")]
    public void A_request_to_talk_is_due_after_that_many_staffed_hours(string asked, double hours, string due) =>
        Assert.Equal(DateTime.Parse(due, System.Globalization.CultureInfo.InvariantCulture), WeekdaysNineToFive.AddStaffedHours(DateTime.Parse(asked, System.Globalization.CultureInfo.InvariantCulture), hours));

    [Theory]
    [InlineData("2026-11-20T20:00", "2026-11-23T09:00")]
    [InlineData("2026-11-20T16:59", "2026-11-20T16:59")]
    [InlineData("2026-11-20T17:00", "2026-11-23T09:00")]
    [InlineData("2026-11-23T08:00", "2026-11-23T09:00")]
    public void A_message_outside_staffed_hours_is_read_from_the_next_staffed_moment(string written, string read) =>
        Assert.Equal(DateTime.Parse(read, System.Globalization.CultureInfo.InvariantCulture), WeekdaysNineToFive.NextStaffed(DateTime.Parse(written, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void The_hours_are_said_as_people_read_them() =>
        Assert.Equal("Monday to Friday, 09:00 to 17:00", WeekdaysNineToFive.Describe());
}
