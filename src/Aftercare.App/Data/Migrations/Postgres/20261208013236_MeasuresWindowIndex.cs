using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MeasuresWindowIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Presentations_Measures",
                table: "Presentations",
                columns: new[] { "PersonId", "ArrivedAt", "Id" },
                filter: "\"EnteredInErrorAt\" IS NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "SiteId", "PsychosocialAssessmentAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Presentations_Measures",
                table: "Presentations");
        }
    }
}
