using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EscalatedContactsIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Contacts_Escalated",
                table: "Contacts");

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_Escalated",
                table: "Contacts",
                column: "PersonId",
                filter: "\"EscalatedAt\" IS NOT NULL AND \"Status\" = 'Due'")
                .Annotation("Npgsql:IndexInclude", new[] { "EpisodeId", "Kind", "DueAt", "NotReachedCount", "EscalatedAt", "OriginallyDueAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Contacts_Escalated",
                table: "Contacts");

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_Escalated",
                table: "Contacts",
                columns: new[] { "PersonId", "Status" },
                filter: "\"EscalatedAt\" IS NOT NULL");
        }
    }
}
