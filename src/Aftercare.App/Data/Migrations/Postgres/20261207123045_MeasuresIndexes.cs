using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MeasuresIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Episodes_PresentationId",
                table: "Episodes");

            migrationBuilder.CreateIndex(
                name: "IX_Episodes_PresentationId_Id",
                table: "Episodes",
                columns: new[] { "PresentationId", "Id" })
                .Annotation("Npgsql:IndexInclude", new[] { "DischargedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Contacts_Reached",
                table: "Contacts",
                columns: new[] { "EpisodeId", "CompletedAt" },
                filter: "\"Outcome\" = 'Reached' AND \"CompletedAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Episodes_PresentationId_Id",
                table: "Episodes");

            migrationBuilder.DropIndex(
                name: "IX_Contacts_Reached",
                table: "Contacts");

            migrationBuilder.CreateIndex(
                name: "IX_Episodes_PresentationId",
                table: "Episodes",
                column: "PresentationId");
        }
    }
}
