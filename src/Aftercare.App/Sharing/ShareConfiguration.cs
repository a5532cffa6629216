using Aftercare.Domain.People;
using Aftercare.Domain.Sharing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Sharing;

/// <summary>How it is stored: a record shared with a GP.</summary>
internal sealed class ShareConfiguration : IEntityTypeConfiguration<Share>
{
    public void Configure(EntityTypeBuilder<Share> share)
    {
        share.ToTable("Shares");
        share.HasKey(x => x.Id);
        share.Property(x => x.SharedBy).HasMaxLength(256);
        share.HasIndex(x => x.PersonId);
        share.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
