using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WorklistIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Presentations_SiteId",
                table: "Presentations");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_PersonId",
                table: "Contacts");

            migrationBuilder.CreateIndex(
                name: "IX_Presentations_SiteId_PersonId",
                table: "Presentations",
                columns: new[] { "SiteId", "PersonId" });

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_Escalated",
                table: "Contacts",
                columns: new[] { "PersonId", "Status" },
                filter: "\"EscalatedAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_PersonId_Status_DueAt_EscalatedAt",
                table: "Contacts",
                columns: new[] { "PersonId", "Status", "DueAt", "EscalatedAt" });

            // ANALYZE's sample cannot see how many people there are in ten million contacts
            // (it estimated 62,794 distinct people for 1,000,000, so 150 contacts a person) and
            // the worklist's plan hashed every active episode. A pathway schedules about ten
            // contacts an episode, so say so: distinct values are a tenth of the rows (issue 16).
            migrationBuilder.Sql("""ALTER TABLE "Contacts" ALTER COLUMN "PersonId" SET (n_distinct = -0.1)""");
            migrationBuilder.Sql("""ALTER TABLE "Contacts" ALTER COLUMN "EpisodeId" SET (n_distinct = -0.1)""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "Contacts" ALTER COLUMN "PersonId" RESET (n_distinct)""");
            migrationBuilder.Sql("""ALTER TABLE "Contacts" ALTER COLUMN "EpisodeId" RESET (n_distinct)""");

            migrationBuilder.DropIndex(
                name: "IX_Presentations_SiteId_PersonId",
                table: "Presentations");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_Escalated",
                table: "Contacts");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_PersonId_Status_DueAt_EscalatedAt",
                table: "Contacts");

            migrationBuilder.CreateIndex(
                name: "IX_Presentations_SiteId",
                table: "Presentations",
                column: "SiteId");

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_PersonId",
                table: "Contacts",
                column: "PersonId");
        }
    }
}
