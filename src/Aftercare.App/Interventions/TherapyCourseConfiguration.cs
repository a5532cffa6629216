using Aftercare.Domain.Interventions;
using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Interventions;

/// <summary>How it is stored: a course of therapy.</summary>
internal sealed class TherapyCourseConfiguration : IEntityTypeConfiguration<TherapyCourse>
{
    public void Configure(EntityTypeBuilder<TherapyCourse> course)
    {
        course.ToTable("TherapyCourses");
        course.HasKey(x => x.Id);
        course.Property(x => x.RecordedBy).HasMaxLength(256);
        course.HasIndex(x => x.PersonId);
        course.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
