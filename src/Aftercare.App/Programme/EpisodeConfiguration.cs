using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Aftercare.Domain.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Programme;

/// <summary>How it is stored: an episode of aftercare, with its scheduled contacts.</summary>
internal sealed class EpisodeConfiguration : IEntityTypeConfiguration<Episode>
{
    public void Configure(EntityTypeBuilder<Episode> episode)
    {
        episode.ToTable("Episodes");
        episode.HasKey(e => e.Id);
        episode.Property(e => e.PathwayId).HasMaxLength(50);
        episode.Property(e => e.PathwayName).HasMaxLength(200);
        episode.Property(e => e.PathwayVersion).HasMaxLength(50);
        episode.Property(e => e.EnrolledBy).HasMaxLength(256);
        episode.HasIndex(e => new { e.PersonId, e.Status });
        episode.HasOne<Person>().WithMany().HasForeignKey(e => e.PersonId).OnDelete(DeleteBehavior.Restrict);
        episode.HasOne<Presentation>().WithMany().HasForeignKey(e => e.PresentationId).OnDelete(DeleteBehavior.Restrict);
        episode.HasMany(e => e.Contacts).WithOne().HasForeignKey(c => c.EpisodeId).OnDelete(DeleteBehavior.Cascade);
        // Contacts are added only by the episode's own methods: EF reads and writes the backing field.
        episode.Navigation(e => e.Contacts).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}
