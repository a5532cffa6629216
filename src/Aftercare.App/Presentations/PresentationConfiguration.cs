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
        // The column is still "Methods": the groups by name, then, after ';', the ICD-10 codes as sent
        // ("SharpObject;X78.0"). A value written before codes were kept has no ';' and reads the same.
        presentation.Ignore(p => p.Methods);
        presentation.Ignore(p => p.Icd10Codes);
        presentation.Property(p => p.Coding)
            .HasColumnName("Methods")
            .HasConversion(
                new ValueConverter<SelfHarmCoding, string>(v => Write(v), v => Read(v)),
                new ValueComparer<SelfHarmCoding>((a, b) => Write(a!) == Write(b!), v => Write(v).GetHashCode(StringComparison.Ordinal), v => Read(Write(v))))
            .HasMaxLength(400);
        presentation.Property(p => p.RecordedBy).HasMaxLength(450);
        presentation.Ignore(p => p.TimeToAssessment);
        presentation.Property(p => p.EncounterIdentifierSystem).HasMaxLength(200);
        presentation.Property(p => p.EncounterIdentifierValue).HasMaxLength(100);
        presentation.Property(p => p.ConditionIdentifierSystem).HasMaxLength(200);
        presentation.Property(p => p.ConditionIdentifierValue).HasMaxLength(100);
        presentation.Property(p => p.EnteredInErrorBy).HasMaxLength(450);
        // One encounter per sender's identifier: a resend or a conditional create finds the first, never a twin.
        presentation.HasIndex(p => new { p.EncounterIdentifierSystem, p.EncounterIdentifierValue }).IsUnique();
        presentation.HasIndex(p => new { p.ConditionIdentifierSystem, p.ConditionIdentifierValue }).IsUnique();
        presentation.HasIndex(p => new { p.PersonId, p.ArrivedAt });
        presentation.HasIndex(p => p.ArrivedAt);
        // The people who presented at a site, from the index alone (the care team of a site's staff).
        presentation.HasIndex(p => new { p.SiteId, p.PersonId });
    }

    private static string Write(SelfHarmCoding coding) =>
        string.Join(',', coding.Methods) + (coding.Icd10Codes.Count > 0 ? ";" + string.Join(',', coding.Icd10Codes) : "");

    private static SelfHarmCoding Read(string value)
    {
        var parts = value.Split(';', 2);
        return new SelfHarmCoding(
            [.. parts[0].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<SelfHarmMethod>)],
            parts.Length > 1 ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries) : []);
    }
}
