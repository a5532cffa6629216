using Aftercare.Domain.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.People;

/// <summary>How it is stored: a person and their identifiers.</summary>
internal sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> person)
    {
        person.ToTable("People");
        person.HasKey(p => p.Id);
        person.Property(p => p.GivenName).HasMaxLength(100);
        person.Property(p => p.FamilyName).HasMaxLength(100);
        person.Property(p => p.Phone).HasMaxLength(30);
        person.Property(p => p.Email).HasMaxLength(200);
        person.Property(p => p.GpPractice).HasMaxLength(200);
        person.Property(p => p.GpPracticeCode).HasMaxLength(10);
        person.Ignore(p => p.DisplayName);
        person.HasIndex(p => new { p.FamilyName, p.DateOfBirth });
        // Finding a person by date of birth alone, or with part of a name, is a look-up, not a scan
        // of everyone (issue 16). On PostgreSQL, trigram indexes on the lower-cased names serve the
        // part of a name (migration PersonFinderIndexes).
        person.HasIndex(p => p.DateOfBirth);
        person.OwnsMany(p => p.Identifiers, id =>
        {
            id.ToTable("PersonIdentifiers");
            id.WithOwner().HasForeignKey(i => i.PersonId);
            // One identifier belongs to one person: the key makes a silent twin impossible.
            id.HasKey(i => new { i.Kind, i.Value });
            id.Property(i => i.Value).HasMaxLength(20);
            id.HasIndex(i => i.PersonId);
        });
        // Identifiers are read-only to callers: EF reads and writes the backing field.
        person.Navigation(p => p.Identifiers).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}
