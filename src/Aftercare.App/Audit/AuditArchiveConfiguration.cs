using Aftercare.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Audit;

/// <summary>How it is stored: the anchors archives leave (ADR 0017); append-only triggers are in the migration.</summary>
internal sealed class AuditArchiveConfiguration : IEntityTypeConfiguration<AuditArchive>
{
    public void Configure(EntityTypeBuilder<AuditArchive> archive)
    {
        archive.ToTable("AuditArchives");
        archive.HasKey(a => a.Id);
        archive.HasIndex(a => a.Archive).IsUnique();
        archive.Property(a => a.FromMonth).HasMaxLength(7);
        archive.Property(a => a.ToMonth).HasMaxLength(7);
        archive.Property(a => a.HeadHash).HasMaxLength(64);
        archive.Property(a => a.FileSha256).HasMaxLength(64);
        archive.Property(a => a.Mac).HasMaxLength(64);
    }
}
