using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Sqlite
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
                filter: "\"EscalatedAt\" IS NOT NULL AND \"Status\" = 'Due'");
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
