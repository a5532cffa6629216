using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Plans;

/// <summary>How it is stored: a private link to a safety plan, found by its token's hash.</summary>
internal sealed class SafetyPlanLinkConfiguration : IEntityTypeConfiguration<SafetyPlanLink>
{
    public void Configure(EntityTypeBuilder<SafetyPlanLink> link)
    {
        link.ToTable("SafetyPlanLinks");
        link.HasKey(l => l.Id);
        link.Property(l => l.TokenHash).HasMaxLength(64);
        link.Property(l => l.CreatedBy).HasMaxLength(256);
        link.HasIndex(l => l.TokenHash).IsUnique();
        link.HasOne<SafetyPlan>().WithMany().HasForeignKey(l => l.SafetyPlanId).OnDelete(DeleteBehavior.Cascade);
    }
}
