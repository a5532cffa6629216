using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
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
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConditionIdentifierValue",
                table: "Presentations",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EncounterIdentifierSystem",
                table: "Presentations",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EncounterIdentifierValue",
                table: "Presentations",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EnteredInErrorAt",
                table: "Presentations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EnteredInErrorBy",
                table: "Presentations",
                type: "character varying(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EnteredInErrorReason",
                table: "Presentations",
                type: "character varying(4200)",
                maxLength: 4200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "GpPracticeCode",
                table: "People",
                type: "character varying(10)",
                maxLength: 10,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Presentations_ConditionIdentifierSystem_ConditionIdentifier~",
                table: "Presentations",
                columns: new[] { "ConditionIdentifierSystem", "ConditionIdentifierValue" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Presentations_EncounterIdentifierSystem_EncounterIdentifier~",
                table: "Presentations",
                columns: new[] { "EncounterIdentifierSystem", "EncounterIdentifierValue" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Presentations_ConditionIdentifierSystem_ConditionIdentifier~",
                table: "Presentations");

            migrationBuilder.DropIndex(
                name: "IX_Presentations_EncounterIdentifierSystem_EncounterIdentifier~",
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
