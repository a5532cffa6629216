using Aftercare.Domain.Consent;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Consent;

/// <summary>How it is stored: a consent decision; its free text is encrypted at rest (EncryptedFields).</summary>
internal sealed class ConsentDecisionConfiguration : IEntityTypeConfiguration<ConsentDecision>
{
    public void Configure(EntityTypeBuilder<ConsentDecision> decision)
    {
        decision.ToTable("ConsentDecisions");
        decision.HasKey(x => x.Id);
        decision.Property(x => x.Id).ValueGeneratedNever();
        decision.Property(x => x.RecordedBy).HasMaxLength(256);
        decision.Property(x => x.WithdrawnBy).HasMaxLength(256);
        decision.Ignore(x => x.InForce);
        decision.HasIndex(x => new { x.PersonId, x.Topic, x.RecordedAt });
        decision.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
