using Aftercare.Domain.Consent;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Consent;

/// <summary>How it is stored: a safeguarding concern; its free text is encrypted at rest (EncryptedFields).</summary>
internal sealed class SafeguardingConcernConfiguration : IEntityTypeConfiguration<SafeguardingConcern>
{
    public void Configure(EntityTypeBuilder<SafeguardingConcern> concern)
    {
        concern.ToTable("SafeguardingConcerns");
        concern.HasKey(x => x.Id);
        concern.Property(x => x.Id).ValueGeneratedNever();
        concern.Property(x => x.RaisedBy).HasMaxLength(256);
        concern.Ignore(x => x.Reported);
        concern.HasIndex(x => new { x.PersonId, x.RaisedAt });
        concern.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
