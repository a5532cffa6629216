using Aftercare.Domain.Interventions;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Interventions;

/// <summary>How it is stored: a medication.</summary>
internal sealed class MedicationConfiguration : IEntityTypeConfiguration<Medication>
{
    public void Configure(EntityTypeBuilder<Medication> medication)
    {
        medication.ToTable("Medications");
        medication.HasKey(x => x.Id);
        medication.Property(x => x.RecordedBy).HasMaxLength(256);
        medication.HasIndex(x => x.PersonId);
        medication.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
