using Aftercare.Domain.Feedback;
using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Feedback;

/// <summary>How it is stored: a private link to give feedback, found by its token's hash.</summary>
internal sealed class FeedbackLinkConfiguration : IEntityTypeConfiguration<FeedbackLink>
{
    public void Configure(EntityTypeBuilder<FeedbackLink> link)
    {
        link.ToTable("FeedbackLinks");
        link.HasKey(l => l.Id);
        link.Property(l => l.Id).ValueGeneratedNever();
        link.Property(l => l.TokenHash).HasMaxLength(64);
        link.Property(l => l.CreatedBy).HasMaxLength(256);
        link.HasIndex(l => l.TokenHash).IsUnique();
        link.HasIndex(l => l.PersonId);
        link.HasOne<Person>().WithMany().HasForeignKey(l => l.PersonId).OnDelete(DeleteBehavior.Restrict);
        link.HasOne<Site>().WithMany().HasForeignKey(l => l.SiteId).OnDelete(DeleteBehavior.Restrict);
    }
}
