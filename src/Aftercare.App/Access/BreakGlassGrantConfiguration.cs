using Aftercare.Domain.Access;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Access;

/// <summary>How it is stored: emergency access to a record outside the care team, and its review.</summary>
internal sealed class BreakGlassGrantConfiguration : IEntityTypeConfiguration<BreakGlassGrant>
{
    public void Configure(EntityTypeBuilder<BreakGlassGrant> grant)
    {
        grant.ToTable("BreakGlassGrants");
        grant.HasKey(x => x.Id);
        grant.Property(x => x.Id).ValueGeneratedNever();
        grant.Property(x => x.UserId).HasMaxLength(450);
        grant.Property(x => x.UserEmail).HasMaxLength(256);
        grant.Property(x => x.ReviewedBy).HasMaxLength(256);
        grant.HasIndex(x => new { x.UserId, x.PersonId, x.ExpiresAt });
        grant.HasIndex(x => x.ReviewedAt);
        grant.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
