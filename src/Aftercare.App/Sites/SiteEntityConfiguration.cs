using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Sites;

/// <summary>How it is stored: a site (an emergency department or unit).</summary>
internal sealed class SiteEntityConfiguration : IEntityTypeConfiguration<Site>
{
    public void Configure(EntityTypeBuilder<Site> site)
    {
        site.ToTable("Sites");
        site.HasKey(s => s.Id);
        site.Property(s => s.Code).HasMaxLength(20);
        site.Property(s => s.Name).HasMaxLength(200);
        site.HasIndex(s => s.Code).IsUnique();
    }
}
