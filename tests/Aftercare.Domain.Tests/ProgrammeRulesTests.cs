using Aftercare.Domain.People;
using Aftercare.Domain.Programme;

namespace Aftercare.Domain.Tests;

/// <summary>docs/domain.md rules 11 and 12 as the domain holds them.</summary>
public sealed class ProgrammeRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static Pathway P(string id, int from, int to, HistoryFilter history = HistoryFilter.Any, int hours = 48, params int[] days) =>
        new(id, id, from, to, history, hours, days.Length == 0 ? [3, 7, 14, 30, 60, 90] : days, [ContactChannel.Phone], false, [], []);

    private static readonly PathwaySet Set = new("test", [
        P("young-people", 0, 17, hours: 24), P("young-adults", 18, 24), P("first-contact", 18, 64, HistoryFilter.NoPriorContact),
        P("adults", 25, 64), P("older-adults", 65, 130, hours: 24)]);

    /// <summary>10:00 in London on the day N days after discharge, as the app computes it.</summary>
    private static DateTimeOffset TenAm(DateTimeOffset from, int days)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, London).DateTime).AddDays(days).ToDateTime(new TimeOnly(10, 0));
        return new DateTimeOffset(day, London.GetUtcOffset(day)).ToUniversalTime();
    }

    [Theory]
    [InlineData(16, PriorPsychiatricHistory.Yes, "young-people")]
    [InlineData(16, PriorPsychiatricHistory.No, "young-people")]
    [InlineData(20, PriorPsychiatricHistory.Yes, "young-adults")]
    [InlineData(20, PriorPsychiatricHistory.No, "first-contact")]
    [InlineData(40, PriorPsychiatricHistory.Unknown, "adults")]
    [InlineData(40, PriorPsychiatricHistory.No, "first-contact")]
    [InlineData(70, PriorPsychiatricHistory.No, "older-adults")]
    public void Rule12_The_suggested_pathway_follows_age_band_and_prior_history(int age, PriorPsychiatricHistory history, string expected) =>
        Assert.Equal(expected, Set.Suggest(age, history)?.Id);

    [Fact]
    public void Rule11_The_first_contact_is_due_within_48_hours_of_discharge()
    {
        var discharged = Now.AddHours(-2);
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), discharged, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        Assert.Equal(discharged.AddHours(48), episode.FirstContactDueBy);
        var first = episode.Contacts.Single(c => c.Kind == ContactKind.FirstContact);
        Assert.Equal(episode.FirstContactDueBy, first.DueAt);
        Assert.Contains("within 48 hours", Assert.Single(P("slow", 0, 130, hours: 72).Problems()), StringComparison.Ordinal);
    }

    [Fact]
    public void Rule11_Contact_lasts_at_least_3_months()
    {
        var discharged = Now.AddHours(-2);
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), discharged, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        Assert.True(DateOnly.FromDateTime(episode.Contacts.Max(c => c.DueAt).UtcDateTime) >= DateOnly.FromDateTime(discharged.UtcDateTime).AddDays(90));
        Assert.Contains("at least the first 3 months", Assert.Single(P("short", 0, 130, days: [3, 7, 30]).Problems()), StringComparison.Ordinal);
    }

    [Fact]
    public void Rule11_A_schedule_that_never_ends_or_starts_before_discharge_is_refused()
    {
        Assert.Contains("cannot start before discharge", Assert.Single(P("early", 0, 130, days: [0, 7, 90]).Problems()), StringComparison.Ordinal);
        Assert.Contains("has to end", Assert.Single(P("endless", 0, 130, days: [7, 90, 5000]).Problems()), StringComparison.Ordinal);
    }

    [Fact]
    public void Scheduled_contacts_keep_their_local_time_across_the_clock_change()
    {
        // Discharged on Friday 20 March 2026; British Summer Time starts on Sunday 29 March.
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        var byDay = episode.Contacts.Where(c => c.Kind == ContactKind.FollowUp).ToDictionary(c => (int)(c.DueAt - Now).TotalDays + 1);
        Assert.Equal(new DateTimeOffset(2026, 3, 23, 10, 0, 0, TimeSpan.Zero), byDay[3].DueAt);   // 10:00 GMT
        Assert.Equal(new DateTimeOffset(2026, 4, 3, 9, 0, 0, TimeSpan.Zero), byDay[14].DueAt);    // 10:00 BST
        Assert.All(episode.Contacts.Where(c => c.Kind == ContactKind.FollowUp), c => Assert.Equal(10, TimeZoneInfo.ConvertTime(c.DueAt, London).Hour));
    }

    [Fact]
    public void Rule12_Choosing_another_pathway_than_the_suggested_one_needs_a_reason()
    {
        var refused = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("older-adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now);
        Assert.Equal("reason", Assert.Single(refused.Errors).Field);
        var chosen = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("older-adults")!, "test", Set.Find("adults"), "Lives with frail parents; family involvement helps", TenAm, "worker", Now);
        Assert.Equal("Lives with frail parents; family involvement helps", chosen.Value.OtherPathwayReason);
    }

    [Fact]
    public void Rule11_A_contact_not_reached_is_retried_then_escalated()
    {
        var (_, first, _) = NotReachedThreeTimes();
        Assert.NotNull(first.EscalatedAt);
        Assert.Equal(ContactStatus.Due, first.Status);
    }

    [Fact]
    public void Rule11_An_episode_whose_contact_was_escalated_never_closes_by_itself()
    {
        var (episode, _, at) = NotReachedThreeTimes();
        Assert.Equal(EpisodeStatus.Active, episode.Status);
        Assert.Equal("reason", Assert.Single(episode.Close(null, null, at).Errors).Field);
    }

    /// <summary>An episode whose first follow-up was not reached at three tries a day apart, and the time after the last.</summary>
    private static (Episode Episode, ScheduledContact First, DateTimeOffset At) NotReachedThreeTimes()
    {
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        var first = episode.Contacts.First(c => c.Kind == ContactKind.FollowUp);
        var rules = new RetryRules(24, 3);
        var at = Now.AddHours(5);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(first.Record(new ContactAttempt(at, ContactChannel.Phone, ContactOutcome.NotReached, null, null, null, "worker"), rules, at).IsSuccess);
            Assert.Equal(at.AddHours(24), first.DueAt);
            at = at.AddHours(25);
        }

        return (episode, first, at);
    }

    [Fact]
    public void Reaching_the_person_asks_how_they_are_feeling_first()
    {
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        var first = episode.Contacts[0];
        Assert.Equal("howTheyAreFeeling", Assert.Single(first.Record(new ContactAttempt(Now, ContactChannel.Phone, ContactOutcome.Reached, null, null, "Booked GP", "worker"), RetryRules.Default, Now).Errors).Field);
        Assert.True(first.Record(new ContactAttempt(Now, ContactChannel.Phone, ContactOutcome.Reached, "Tired but safer", "Started a new job", null, "worker"), RetryRules.Default, Now).IsSuccess);
        Assert.Equal(ContactStatus.Done, first.Status);
    }

    [Fact]
    public void Rule2_Coming_back_during_aftercare_is_counted_as_re_engagement()
    {
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        var later = Now.AddDays(20);
        Assert.True(episode.ReEngage(later.AddHours(-6), later, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, later).IsSuccess);
        Assert.Equal(1, episode.ReEngagements);
    }

    [Fact]
    public void Rule2_Coming_back_during_aftercare_restarts_the_schedule()
    {
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        var before = episode.Contacts.Count;
        var later = Now.AddDays(20);
        Assert.True(episode.ReEngage(later.AddHours(-6), later, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, later).IsSuccess);
        Assert.Equal(later.AddHours(48), episode.FirstContactDueBy);
        Assert.All(episode.Contacts.Take(before), c => Assert.Equal(ContactStatus.Superseded, c.Status));
        Assert.Equal(2, episode.Contacts.Count(c => c.Kind == ContactKind.FirstContact));
    }

    [Fact]
    public void Rule12_A_restart_on_another_pathway_than_the_suggested_one_without_a_reason_is_refused_and_changes_nothing()
    {
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("first-contact")!, "test", Set.Find("first-contact"), null, TenAm, "worker", Now).Value;
        var later = Now.AddDays(20);
        var refused = episode.ReEngage(later.AddHours(-6), later, Set.Find("young-people")!, "test", Set.Find("first-contact"), " ", TenAm, later);
        Assert.Equal("reason", Assert.Single(refused.Errors).Field);
        Assert.Equal("first-contact", episode.PathwayId);
        Assert.Equal(0, episode.ReEngagements);
        Assert.Equal(Now.AddHours(48), episode.FirstContactDueBy);
        Assert.All(episode.Contacts, c => Assert.Equal(ContactStatus.Due, c.Status));
    }

    [Fact]
    public void Rule12_A_restart_puts_the_person_on_the_chosen_pathway_with_its_own_first_contact_deadline()
    {
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        var later = Now.AddDays(20);
        var restarted = episode.ReEngage(later.AddHours(-6), later, Set.Find("older-adults")!, "test-2", Set.Find("adults"), "Moved in with his parents, who want to be involved", TenAm, later);
        Assert.True(restarted.IsSuccess);
        Assert.Equal(("older-adults", "older-adults", "test-2"), (episode.PathwayId, episode.PathwayName, episode.PathwayVersion));
        Assert.Equal("Moved in with his parents, who want to be involved", episode.OtherPathwayReason);
        Assert.Equal(later.AddHours(24), episode.FirstContactDueBy);
        Assert.Equal(later.AddHours(24), episode.Contacts.Single(c => c.Kind == ContactKind.FirstContact && c.Status == ContactStatus.Due).DueAt);

        // Back on the suggested pathway: no reason is needed, and the old one is not kept.
        Assert.True(episode.ReEngage(later.AddDays(10), later.AddDays(10).AddHours(5), Set.Find("adults")!, "test-2", Set.Find("adults"), null, TenAm, later.AddDays(10).AddHours(6)).IsSuccess);
        Assert.Null(episode.OtherPathwayReason);
    }

    [Fact]
    public void Rule2_Only_a_presentation_after_the_discharge_the_schedule_runs_from_restarts_it()
    {
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        Assert.False(episode.CanRestartFrom(Now.AddDays(-30)));
        var refused = episode.ReEngage(Now.AddDays(-30), Now.AddDays(-29), Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, Now.AddDays(1));
        Assert.Equal("presentationId", Assert.Single(refused.Errors).Field);
        Assert.Equal(0, episode.ReEngagements);
        Assert.True(episode.CanRestartFrom(Now.AddDays(2)));
    }

    [Fact]
    public void Rule11_A_first_contact_not_reached_is_tried_again_before_its_48_hour_deadline()
    {
        // Discharged 30 hours ago: 18 hours are left, so "try again in 24 hours" would miss the deadline.
        var discharged = Now.AddHours(-30);
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), discharged.AddHours(-6), discharged, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        var first = episode.Contacts.Single(c => c.Kind == ContactKind.FirstContact);
        Assert.True(first.Record(new ContactAttempt(Now, ContactChannel.Phone, ContactOutcome.NotReached, null, null, null, "worker"), RetryRules.Default, Now).IsSuccess);
        Assert.Equal(Now.AddHours(9), first.DueAt);
        Assert.Equal(discharged.AddHours(48), first.Deadline);

        // Past the deadline it is already late: tried again within 4 hours, not a day.
        var late = discharged.AddHours(50);
        Assert.True(first.Record(new ContactAttempt(late, ContactChannel.Phone, ContactOutcome.NotReached, null, null, null, "worker"), RetryRules.Default, late).IsSuccess);
        Assert.Equal(late.AddHours(RetryRules.AfterDeadlineRetryHours), first.DueAt);
    }

    [Fact]
    public void Rule11_Tries_not_reached_a_minute_apart_need_a_reason_before_they_count_towards_escalation()
    {
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        var first = episode.Contacts.Single(c => c.Kind == ContactKind.FirstContact);
        ContactAttempt NotReached(DateTimeOffset at, string? why = null) => new(at, ContactChannel.Phone, ContactOutcome.NotReached, null, null, null, "worker", why);
        Assert.True(first.Record(NotReached(Now), RetryRules.Default, Now).IsSuccess);
        var refused = first.Record(NotReached(Now.AddMinutes(1)), RetryRules.Default, Now.AddMinutes(1));
        Assert.Equal("whyTriedAgainSoon", Assert.Single(refused.Errors).Field);
        Assert.Equal(1, first.NotReachedCount);
        Assert.True(first.Record(NotReached(Now.AddMinutes(2), "Tried her work number too"), RetryRules.Default, Now.AddMinutes(2)).IsSuccess);
        Assert.Equal("Tried her work number too", first.Attempts[^1].WhyTriedAgainSoon);
        Assert.True(first.Record(NotReached(Now.AddMinutes(40)), RetryRules.Default, Now.AddMinutes(40)).IsSuccess);
        Assert.Equal(3, first.NotReachedCount);

        // Reaching the person straight after a missed call needs no reason: they called back.
        var second = episode.Contacts.First(c => c.Kind == ContactKind.FollowUp);
        Assert.True(second.Record(NotReached(Now), RetryRules.Default, Now).IsSuccess);
        Assert.True(second.Record(new ContactAttempt(Now.AddMinutes(3), ContactChannel.Phone, ContactOutcome.Reached, "Better today", null, null, "worker"), RetryRules.Default, Now.AddMinutes(3)).IsSuccess);
    }

    [Fact]
    public void Closing_with_a_reason_cancels_what_was_still_due()
    {
        var episode = Episode.Enrol(Guid.NewGuid(), Guid.NewGuid(), Now.AddHours(-10), Now, Set.Find("adults")!, "test", Set.Find("adults"), null, TenAm, "worker", Now).Value;
        Assert.True(episode.Close(EpisodeCloseReason.MovedAway, "Moved to another city; GP informed", Now.AddDays(5)).IsSuccess);
        Assert.All(episode.Contacts, c => Assert.Equal(ContactStatus.Cancelled, c.Status));
    }
}

public sealed class MessagePreferencesTests
{
    [Theory]
    [InlineData("21:00", "08:00", "2026-11-20T23:30", "2026-11-21T08:00")]
    [InlineData("21:00", "08:00", "2026-11-20T06:00", "2026-11-20T08:00")]
    [InlineData("21:00", "08:00", "2026-11-20T10:00", "2026-11-20T10:00")]
    [InlineData("12:00", "14:00", "2026-11-20T13:00", "2026-11-20T14:00")]
    public void Messages_wait_until_the_hours_the_person_asked_not_to_be_contacted_are_over(string from, string until, string at, string expected)
    {
        var preferences = new Aftercare.Domain.Messaging.MessagePreferences(Guid.NewGuid());
        Assert.True(preferences.SetQuietHours(TimeOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), TimeOnly.Parse(until, System.Globalization.CultureInfo.InvariantCulture), "en").IsSuccess);
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), preferences.OutsideQuietHours(DateTime.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Quiet_hours_need_both_ends()
    {
        var preferences = new Aftercare.Domain.Messaging.MessagePreferences(Guid.NewGuid());
        Assert.Equal("quietFrom", Assert.Single(preferences.SetQuietHours(new TimeOnly(21, 0), null, null).Errors).Field);
    }
}
