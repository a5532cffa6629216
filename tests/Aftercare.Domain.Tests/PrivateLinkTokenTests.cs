using Aftercare.Domain.Interventions;

namespace Aftercare.Domain.Tests;

/// <summary>The one private-link token (safety plan links, feedback links, the stop link in a message), and the kinds of a rule's refusal.</summary>
public sealed class PrivateLinkTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_token_is_random_url_safe_and_kept_only_as_its_hash()
    {
        var one = PrivateLinkToken.New();
        var two = PrivateLinkToken.New();
        Assert.NotEqual(one.Token, two.Token);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", one.Token);
        Assert.Equal(PrivateLinkToken.HashOf(one.Token), one.Hash);
        Assert.DoesNotContain(one.Token, one.Hash, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stored_hash_matches_only_its_own_token()
    {
        var link = PrivateLinkToken.New();
        Assert.True(PrivateLinkToken.Matches(link.Hash, link.Token));
        Assert.False(PrivateLinkToken.Matches(link.Hash, PrivateLinkToken.New().Token));
        Assert.False(PrivateLinkToken.Matches(link.Hash, link.Token[..^1]));
    }

    [Fact]
    public void A_token_that_cannot_be_ours_is_not_looked_up()
    {
        Assert.Null(PrivateLinkToken.LookupHash(null));
        Assert.Null(PrivateLinkToken.LookupHash(" "));
        Assert.Null(PrivateLinkToken.LookupHash(new string('a', PrivateLinkToken.MaxLength + 1)));
        Assert.NotNull(PrivateLinkToken.LookupHash(PrivateLinkToken.New(24).Token));
    }

    [Fact]
    public void A_rule_that_says_no_now_is_a_refusal_and_a_field_to_correct_stays_invalid()
    {
        var details = new TherapyDetails(TherapyType.CbtInformed, 6, null, "Therapist Example", "Accredited CBT therapist", "Weekly with the lead psychologist", new DateOnly(2026, 12, 1));
        var course = TherapyCourse.Plan(Guid.NewGuid(), details, SessionRange.Cg133, 30, "therapist", Now).Value;
        Assert.Equal(ErrorKind.Refused, course.RecordSessionAttended(new DateOnly(2026, 11, 30)).Errors.Decisive());

        var missing = TherapyCourse.Plan(Guid.NewGuid(), details with { Therapist = "" }, SessionRange.Cg133, 30, "therapist", Now);
        Assert.Equal(ErrorKind.Invalid, missing.Errors.Decisive());
    }
}
