using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FhirIntegration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ConditionIdentifierSystem",
                table: "Presentations",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConditionIdentifierValue",
                table: "Presentations",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EncounterIdentifierSystem",
                table: "Presentations",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EncounterIdentifierValue",
                table: "Presentations",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "EnteredInErrorAt",
                table: "Presentations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EnteredInErrorBy",
                table: "Presentations",
                type: "TEXT",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EnteredInErrorReason",
                table: "Presentations",
                type: "TEXT",
                maxLength: 4200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "GpPracticeCode",
                table: "People",
                type: "TEXT",
                maxLength: 10,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Presentations_ConditionIdentifierSystem_ConditionIdentifierValue",
                table: "Presentations",
                columns: new[] { "ConditionIdentifierSystem", "ConditionIdentifierValue" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Presentations_EncounterIdentifierSystem_EncounterIdentifierValue",
                table: "Presentations",
                columns: new[] { "EncounterIdentifierSystem", "EncounterIdentifierValue" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Presentations_ConditionIdentifierSystem_ConditionIdentifierValue",
                table: "Presentations");

            migrationBuilder.DropIndex(
                name: "IX_Presentations_EncounterIdentifierSystem_EncounterIdentifierValue",
                table: "Presentations");

            migrationBuilder.DropColumn(
                name: "ConditionIdentifierSystem",
                table: "Presentations");

            migrationBuilder.DropColumn(
                name: "ConditionIdentifierValue",
                table: "Presentations");

            migrationBuilder.DropColumn(
                name: "EncounterIdentifierSystem",
                table: "Presentations");

            migrationBuilder.DropColumn(
                name: "EncounterIdentifierValue",
                table: "Presentations");

            migrationBuilder.DropColumn(
                name: "EnteredInErrorAt",
                table: "Presentations");

            migrationBuilder.DropColumn(
                name: "EnteredInErrorBy",
                table: "Presentations");

            migrationBuilder.DropColumn(
                name: "EnteredInErrorReason",
                table: "Presentations");

            migrationBuilder.DropColumn(
                name: "GpPracticeCode",
                table: "People");
        }
    }
}
