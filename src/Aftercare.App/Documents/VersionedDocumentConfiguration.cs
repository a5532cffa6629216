using Aftercare.Domain.Documents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aftercare.App.Documents;

/// <summary>
/// How a versioned clinical document is stored: one row per document, Version guarding against
/// lost updates, and its revisions in <see cref="RevisionConfiguration{TContent}"/>'s table. Its
/// content is JSON, encrypted at rest (EncryptedFields).
/// </summary>
internal abstract class VersionedDocumentConfiguration<TDocument, TContent>(string table) : IEntityTypeConfiguration<TDocument>
    where TDocument : VersionedDocument<TContent>
    where TContent : class
{
    public virtual void Configure(EntityTypeBuilder<TDocument> builder)
    {
        builder.ToTable(table);
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Version).IsConcurrencyToken();
        builder.Property(d => d.UpdatedBy).HasMaxLength(256);
        builder.HasIndex(d => d.PersonId);
        builder.HasMany(d => d.Revisions).WithOne().HasForeignKey(r => r.DocumentId).OnDelete(DeleteBehavior.Cascade);
        // The history is read-only to callers (only Edit appends): EF reads and writes the backing field.
        builder.Navigation(d => d.Revisions).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

/// <summary>How each saved version of a document is stored: a whole copy, one per version.</summary>
internal abstract class RevisionConfiguration<TContent>(string table) : IEntityTypeConfiguration<Revision<TContent>>
    where TContent : class
{
    public void Configure(EntityTypeBuilder<Revision<TContent>> builder)
    {
        builder.ToTable(table);
        builder.HasKey(r => r.Id);
        // Ids are made in the domain: a new revision added to a loaded document is an insert, not an update.
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.SavedBy).HasMaxLength(256);
        builder.HasIndex(r => new { r.DocumentId, r.Version }).IsUnique();
    }
}
