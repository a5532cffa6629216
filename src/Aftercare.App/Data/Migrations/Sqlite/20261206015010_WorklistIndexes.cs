using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Sqlite
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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
