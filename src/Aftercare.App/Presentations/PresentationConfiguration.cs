using Aftercare.Domain.People;
using Aftercare.Domain.Presentations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Aftercare.App.Presentations;

/// <summary>How it is stored: a presentation to a site; its self-harm methods are one comma-separated column.</summary>
internal sealed class PresentationConfiguration : IEntityTypeConfiguration<Presentation>
{
    public void Configure(EntityTypeBuilder<Presentation> presentation)
    {
        presentation.ToTable("Presentations");
        presentation.HasKey(p => p.Id);
        presentation.HasOne<Person>().WithMany().HasForeignKey(p => p.PersonId).OnDelete(DeleteBehavior.Restrict);
        presentation.HasOne<Site>().WithMany().HasForeignKey(p => p.SiteId).OnDelete(DeleteBehavior.Restrict);
        presentation.Property(p => p.Methods)
            .HasConversion(
                new ValueConverter<IReadOnlyList<SelfHarmMethod>, string>(
                    v => string.Join(',', v),
                    v => v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<SelfHarmMethod>).ToList()),
                new ValueComparer<IReadOnlyList<SelfHarmMethod>>(
                    (a, b) => a!.SequenceEqual(b!),
                    v => v.Aggregate(0, (h, m) => HashCode.Combine(h, m)),
                    v => v.ToList()))
            .HasMaxLength(400);
        presentation.Property(p => p.RecordedBy).HasMaxLength(450);
        presentation.Ignore(p => p.TimeToAssessment);
        presentation.HasIndex(p => new { p.PersonId, p.ArrivedAt });
        presentation.HasIndex(p => p.ArrivedAt);
    }
}
