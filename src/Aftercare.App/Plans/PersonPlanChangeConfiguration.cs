using Aftercare.Domain.People;
using Aftercare.Domain.Plans;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Plans;

/// <summary>How it is stored: the person's changes to their safety plan, and whether each was talked through (migration PersonPlanEdits).</summary>
internal sealed class PersonPlanChangeConfiguration : IEntityTypeConfiguration<PersonPlanChange>
{
    public void Configure(EntityTypeBuilder<PersonPlanChange> builder)
    {
        builder.ToTable("PersonPlanChanges");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.TalkedThroughBy).HasMaxLength(256);
        builder.HasOne<SafetyPlan>().WithMany().HasForeignKey(c => c.SafetyPlanId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Person>().WithMany().HasForeignKey(c => c.PersonId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => new { c.SafetyPlanId, c.Version }).IsUnique();
        // The worklist: changes not yet talked through.
        builder.HasIndex(c => new { c.PersonId, c.TalkedThroughAt });
    }
}
