using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PersonPlanEdits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PersonPlanChanges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SafetyPlanId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PersonId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    BasedOnVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    ChangedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    TalkedThroughAt = table.Column<long>(type: "INTEGER", nullable: true),
                    TalkedThroughBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PersonPlanChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PersonPlanChanges_People_PersonId",
                        column: x => x.PersonId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_PersonPlanChanges_SafetyPlans_SafetyPlanId",
                        column: x => x.SafetyPlanId,
                        principalTable: "SafetyPlans",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PersonPlanChanges_PersonId_TalkedThroughAt",
                table: "PersonPlanChanges",
                columns: new[] { "PersonId", "TalkedThroughAt" });

            migrationBuilder.CreateIndex(
                name: "IX_PersonPlanChanges_SafetyPlanId_Version",
                table: "PersonPlanChanges",
                columns: new[] { "SafetyPlanId", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PersonPlanChanges");
        }
    }
}
