using Aftercare.Domain.Measures;
using Aftercare.Domain.Referrals;

namespace Aftercare.Domain.Tests;

/// <summary>Issue 11: every measure's numerator and denominator, worked out by hand on plain records, with no I/O.</summary>
public sealed class MeasureDefinitionRulesTests
{
    private static readonly DateTimeOffset Jan10 = new(2026, 1, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Every_measure_counts_what_its_definition_says_on_a_cohort_worked_out_by_hand()
    {
        // Three people, four presentations in the period, two parts (A: p1, p2; B: p3, p4).
        Guid ann = Guid.NewGuid(), ben = Guid.NewGuid(), cat = Guid.NewGuid();
        var p1 = new MeasuredPresentation(Guid.NewGuid(), ann, Jan10, new DateOnly(2026, 1, 10), Jan10.AddHours(3)); // assessed in 3 h
        var p2 = new MeasuredPresentation(Guid.NewGuid(), ann, Jan10.AddDays(60), new DateOnly(2026, 3, 11), null);   // Ann again, not assessed
        var p3 = new MeasuredPresentation(Guid.NewGuid(), ben, Jan10.AddDays(1), new DateOnly(2026, 1, 11), Jan10.AddDays(1).AddHours(5)); // assessed in 5 h
        var p4 = new MeasuredPresentation(Guid.NewGuid(), cat, Jan10.AddDays(2), new DateOnly(2026, 1, 12), Jan10.AddDays(2).AddHours(1));
        var e1 = new MeasuredEpisode(Guid.NewGuid(), p1.Id, Jan10.AddHours(6));
        var e3 = new MeasuredEpisode(Guid.NewGuid(), p3.Id, Jan10.AddDays(1).AddHours(8));
        var cohort = new MeasureCohort(
            [p1, p2, p3, p4],
            [(cat, Jan10.AddDays(-100))], // Cat had presented before the period
            [new MeasuredSafetyPlan(ann, Jan10.AddHours(4), new DateOnly(2026, 1, 10)), new MeasuredSafetyPlan(ben, Jan10.AddDays(3), new DateOnly(2026, 1, 13))],
            [e1, e3],
            [new MeasuredContact(e1.Id, e1.DischargedAt.AddHours(30)), new MeasuredContact(e3.Id, e3.DischargedAt.AddDays(10))],
            [new MeasuredReferral(ann, ReferralStatus.Attended), new MeasuredReferral(ben, ReferralStatus.Sent), new MeasuredReferral(cat, ReferralStatus.Declined)],
            [new MeasuredDeath(cat, new DateOnly(2026, 6, 1), Suicide: false)]);
        var partOf = new Dictionary<Guid, int> { [p1.Id] = 0, [p2.Id] = 0, [p3.Id] = 1, [p4.Id] = 1 };

        var counts = ServiceMeasureDefinitions.Count(cohort, 2, p => partOf[p.Id]).ToDictionary(m => m.Key);

        void Is(string key, int[] numerators, int[] denominators)
        {
            Assert.Equal(numerators, counts[key].Numerators);
            Assert.Equal(denominators, counts[key].Denominators);
        }

        Is("presentations", [2, 2], [2, 2]);
        Is("people", [1, 2], [2, 2]);                   // Ann once (in A, her first); Ben and Cat in B
        Is("repeats", [1, 1], [2, 2]);                  // p2 (Ann had p1), p4 (Cat's earlier one)
        Is("assessed", [1, 2], [2, 2]);                 // p1; p3, p4
        Is("assessed-4h", [1, 1], [2, 2]);              // p1 (3 h); p4 (1 h), not p3 (5 h)
        Is("safety-plan", [1, 0], [2, 2]);              // Ann's plan on 10 Jan; Ben's was 3 days later
        Is("first-48h", [1, 0], [1, 1]);                // e1 reached at 30 h; e3 at 10 days
        Is("contact-7d", [1, 0], [1, 1]);
        Is("contact-30d", [1, 1], [1, 1]);
        Is("referrals-closed", [1, 1], [1, 2]);         // Ann attended; Ben still sent, Cat declined
        Is("repeat-12m", [1, 0], [1, 2]);               // Ann came back after p1; Ben and Cat did not
        Is("died-12m", [0, 1], [1, 2]);                 // Cat, 5 months after p4
        Is("suicide-12m", [0, 0], [1, 2]);
        Assert.Equal(13, counts.Count);
    }

    [Fact]
    public void An_empty_period_gives_zero_over_zero_and_no_rate()
    {
        var counts = ServiceMeasureDefinitions.Count(new MeasureCohort([], [], [], [], [], [], []), 3, _ => 0);
        Assert.All(counts, m => Assert.Equal([0, 0, 0], m.Denominators));
        var (parts, total) = Suppression.Pairs(counts[3].Numerators, counts[3].Denominators, 5);
        Assert.All(parts, p => Assert.Null(Suppression.Rate(p.Numerator, p.Denominator)));
        Assert.Equal(0, total.Denominator.Value);
    }

    [Fact]
    public void Contact_exactly_48_hours_after_discharge_counts_and_a_minute_later_does_not()
    {
        var person = Guid.NewGuid();
        var p = new MeasuredPresentation(Guid.NewGuid(), person, Jan10, new DateOnly(2026, 1, 10), null);
        var q = new MeasuredPresentation(Guid.NewGuid(), Guid.NewGuid(), Jan10, new DateOnly(2026, 1, 10), null);
        var e = new MeasuredEpisode(Guid.NewGuid(), p.Id, Jan10);
        var f = new MeasuredEpisode(Guid.NewGuid(), q.Id, Jan10);
        var counts = ServiceMeasureDefinitions.Count(
            new MeasureCohort([p, q], [], [], [e, f], [new(e.Id, Jan10.AddHours(48)), new(f.Id, Jan10.AddHours(48).AddMinutes(1))], [], []), 1, _ => 0);
        Assert.Equal([1], counts.Single(m => m.Key == "first-48h").Numerators);
        Assert.Equal([2], counts.Single(m => m.Key == "contact-7d").Numerators);
    }
}
