using Aftercare.App.Data;
using Aftercare.Domain.Access;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Access;

/// <summary>How it is stored: who is in a person's care team.</summary>
internal sealed class CareAssignmentConfiguration : IEntityTypeConfiguration<CareAssignment>
{
    public void Configure(EntityTypeBuilder<CareAssignment> assignment)
    {
        assignment.ToTable("CareAssignments");
        assignment.HasKey(x => x.Id);
        assignment.Property(x => x.Id).ValueGeneratedNever();
        assignment.Property(x => x.UserId).HasMaxLength(450);
        assignment.Property(x => x.AssignedBy).HasMaxLength(256);
        assignment.HasIndex(x => new { x.PersonId, x.UserId }).IsUnique();
        assignment.HasIndex(x => x.UserId);
        assignment.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        assignment.HasOne<AftercareUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
