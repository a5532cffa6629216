using System.Text.Json;
using System.Text.Json.Serialization;
using Aftercare.Domain.Documents;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Data;

/// <summary>
/// A clinical document's content is one JSON document per version: the same shape on SQLite and
/// PostgreSQL, and a revision is a whole copy that can be shown side by side with another.
/// </summary>
public static class JsonContent
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Maps a versioned document and its revisions table; Version guards against lost updates.</summary>
    public static void MapVersionedDocument<TDocument, TContent>(this ModelBuilder builder, string table, string revisionsTable)
        where TDocument : VersionedDocument<TContent>
        where TContent : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<TDocument>(doc =>
        {
            doc.ToTable(table);
            doc.HasKey(d => d.Id);
            doc.Property(d => d.Version).IsConcurrencyToken();
            doc.Property(d => d.UpdatedBy).HasMaxLength(256);
            doc.Property(d => d.Status).HasConversion<string>().HasMaxLength(20);
            doc.HasIndex(d => d.PersonId);
            doc.HasMany(d => d.Revisions).WithOne().HasForeignKey(r => r.DocumentId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Revision<TContent>>(revision =>
        {
            revision.ToTable(revisionsTable);
            revision.HasKey(r => r.Id);
            // Ids are made in the domain: a new revision added to a loaded document is an insert, not an update.
            revision.Property(r => r.Id).ValueGeneratedNever();
            revision.Property(r => r.SavedBy).HasMaxLength(256);
            revision.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
            revision.HasIndex(r => new { r.DocumentId, r.Version }).IsUnique();
        });
    }
}
