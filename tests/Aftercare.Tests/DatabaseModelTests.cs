using Aftercare.App.Data;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.Tests;

/// <summary>
/// Issue 12 points 2 and 3: the migrations each provider applies build the model the code uses,
/// and every enum is stored by its name. Both providers in every run: neither needs a server.
/// </summary>
public sealed class DatabaseModelTests
{
    public static TheoryData<string> Providers => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_latest_migration_builds_the_model_the_code_uses(string provider)
    {
        using var db = Context(provider);

        // A model change without its migration (on either provider) fails here, not in production.
        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} model has changes no migration makes: add one for each provider (ADR 0002).");
        // Append-only (ADR 0013): the same migrations, by name and in order, on both providers.
        using var other = Context(provider == "sqlite" ? "postgres" : "sqlite");
        Assert.Equal(Names(other), Names(db));
    }

    private static List<string> Names(AftercareDbContext db) => [.. db.Database.GetMigrations().Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..])];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_enum_is_stored_by_name_in_a_column_its_longest_name_fits(string provider)
    {
        using var db = Context(provider);
        var enums = db.Model.GetEntityTypes()
            .SelectMany(t => t.GetProperties().Select(p => (Name: $"{t.DisplayName()}.{p.Name}", Property: p, Enum: Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType)))
            .Where(x => x.Enum.IsEnum)
            .ToList();
        Assert.NotEmpty(enums);

        var numeric = enums.Where(x => (x.Property.GetTypeMapping().Converter?.ProviderClrType ?? x.Property.GetTypeMapping().ClrType) != typeof(string)).Select(x => x.Name).ToList();
        Assert.True(numeric.Count == 0, "Stored as numbers, so reordering the enum would change what rows mean: " + string.Join(", ", numeric));

        var tooShort = enums.Where(x => x.Property.GetMaxLength() is not { } length || Enum.GetNames(x.Enum).Max(n => n.Length) > length).Select(x => x.Name).ToList();
        Assert.True(tooShort.Count == 0, "A member's name does not fit its column: " + string.Join(", ", tooShort));
    }

    private static AftercareDbContext Context(string provider) => provider == "sqlite"
        ? new SqliteAftercareDbContext(new DbContextOptionsBuilder<SqliteAftercareDbContext>().UseSqlite("Data Source=:memory:").Options)
        : new PostgresAftercareDbContext(new DbContextOptionsBuilder<PostgresAftercareDbContext>().UseNpgsql("Host=localhost;Database=aftercare_model").Options);
}
