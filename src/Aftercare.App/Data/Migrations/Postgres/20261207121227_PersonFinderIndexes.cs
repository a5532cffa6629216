using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PersonFinderIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_People_DateOfBirth",
                table: "People",
                column: "DateOfBirth");

            // Finding a person by part of a name ("lower(name) LIKE '%term%'", FindPeople) scans
            // every person without these: 2.7 s at a national 1M. pg_trgm ships with Debian's
            // PostgreSQL and is a trusted extension (the database owner may create it); where it
            // cannot be created, the search still works, as a scan, and the migration says so.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    CREATE EXTENSION IF NOT EXISTS pg_trgm;
                EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
                    RAISE WARNING 'pg_trgm could not be created (%): finding a person by part of a name will scan every person', SQLERRM;
                END $$;
                """);
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                        CREATE INDEX "IX_People_GivenName_Trigram" ON "People" USING gin (lower("GivenName") gin_trgm_ops);
                        CREATE INDEX "IX_People_FamilyName_Trigram" ON "People" USING gin (lower("FamilyName") gin_trgm_ops);
                    END IF;
                EXCEPTION WHEN undefined_object THEN
                    RAISE WARNING 'pg_trgm is installed outside the search path (%): finding a person by part of a name will scan every person', SQLERRM;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_People_GivenName_Trigram" """);
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_People_FamilyName_Trigram" """);
            migrationBuilder.DropIndex(
                name: "IX_People_DateOfBirth",
                table: "People");
        }
    }
}
