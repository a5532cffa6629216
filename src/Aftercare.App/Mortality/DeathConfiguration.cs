using Aftercare.Domain.Mortality;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Mortality;

/// <summary>How it is stored: a death, matched to a person from an imported file.</summary>
internal sealed class DeathConfiguration : IEntityTypeConfiguration<Death>
{
    public void Configure(EntityTypeBuilder<Death> death)
    {
        death.ToTable("Deaths");
        death.HasKey(d => d.Id);
        death.Property(d => d.Id).ValueGeneratedNever();
        death.Property(d => d.SourceFile).HasMaxLength(Death.MaxSourceFile);
        death.Property(d => d.SourceHash).HasMaxLength(64);
        // One death per person: a second, different one is a conflict to resolve, never a twin.
        death.HasIndex(d => d.PersonId).IsUnique();
        death.HasOne<Person>().WithMany().HasForeignKey(d => d.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
