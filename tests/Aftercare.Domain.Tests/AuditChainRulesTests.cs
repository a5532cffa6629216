using Aftercare.Domain.Audit;

namespace Aftercare.Domain.Tests;

public sealed class AuditChainRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static AuditEvent Sealed(string actorId = "u1", string actor = "clinician@example.org", string? entityId = null, string previous = "", DateTimeOffset? at = null)
    {
        var e = AuditEvent.Record(at ?? Now, actorId, actor, AuditAction.PersonViewed, AuditPurpose.DirectCare, Guid.Parse("0193c3b2-7a1e-7c4d-9f00-1234567890ab"), entityId);
        e.Seal(1, previous.Length == 0 ? AuditEvent.Genesis : previous);
        return e;
    }

    [Fact]
    public void A_sealed_event_has_a_SHA_256_hash_of_its_content_and_the_previous_hash()
    {
        var e = Sealed();
        Assert.Matches("^[0-9a-f]{64}$", e.Hash);
        Assert.True(e.HashMatchesContent());
        Assert.Equal(e.Hash, Sealed().Hash);
        Assert.NotEqual(e.Hash, Sealed(previous: new string('1', 64)).Hash);
        Assert.NotEqual(e.Hash, Sealed(at: Now.AddTicks(10)).Hash);
    }

    [Fact]
    public void The_encoding_tells_a_missing_value_from_an_empty_one()
    {
        Assert.NotEqual(Sealed(entityId: null).Hash, Sealed(entityId: "").Hash);
    }

    [Fact]
    public void The_encoding_keeps_fields_apart()
    {
        // Moving characters from one field to the next gives a different hash.
        Assert.NotEqual(Sealed(actorId: "u1c", actor: "linician@example.org").Hash, Sealed(actorId: "u1", actor: "clinician@example.org").Hash);
    }

    [Fact]
    public void Times_are_kept_to_whole_microseconds_in_UTC_as_both_databases_store_them()
    {
        var e = AuditEvent.Record(new DateTimeOffset(2026, 11, 20, 11, 0, 0, TimeSpan.FromHours(1)).AddTicks(7), "u1", "a@example.org", AuditAction.SignedIn, AuditPurpose.Security);
        Assert.Equal(TimeSpan.Zero, e.At.Offset);
        Assert.Equal(Now, e.At);
    }

    [Fact]
    public void An_unsealed_event_has_no_valid_hash()
    {
        var e = AuditEvent.Record(Now, "u1", "a@example.org", AuditAction.SignedIn, AuditPurpose.Security);
        Assert.False(e.IsSealed);
        Assert.False(e.HashMatchesContent());
        Assert.Throws<ArgumentOutOfRangeException>(() => e.Seal(0, AuditEvent.Genesis));
    }
}
