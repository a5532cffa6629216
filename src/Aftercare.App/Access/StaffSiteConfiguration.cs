using Aftercare.App.Data;
using Aftercare.Domain.Access;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Access;

/// <summary>How it is stored: which sites a member of staff works at.</summary>
internal sealed class StaffSiteConfiguration : IEntityTypeConfiguration<StaffSite>
{
    public void Configure(EntityTypeBuilder<StaffSite> staff)
    {
        staff.ToTable("StaffSites");
        staff.HasKey(x => new { x.UserId, x.SiteId });
        staff.Property(x => x.UserId).HasMaxLength(450);
        staff.HasOne<AftercareUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        staff.HasOne<Site>().WithMany().HasForeignKey(x => x.SiteId).OnDelete(DeleteBehavior.Restrict);
    }
}
