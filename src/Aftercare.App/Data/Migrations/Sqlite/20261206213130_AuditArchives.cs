using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Aftercare.App.Data.Migrations.Sqlite
{
    /// <summary>
    /// The anchors that archiving the audit leaves (ADR 0017), append-only like the audit itself
    /// (hand-written triggers).
    /// </summary>
    public partial class AuditArchives : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditArchives",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Archive = table.Column<Guid>(type: "TEXT", nullable: false),
                    ArchivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FromMonth = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    ToMonth = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    Events = table.Column<long>(type: "INTEGER", nullable: false),
                    FirstPosition = table.Column<long>(type: "INTEGER", nullable: false),
                    LastPosition = table.Column<long>(type: "INTEGER", nullable: false),
                    HeadPosition = table.Column<long>(type: "INTEGER", nullable: false),
                    HeadHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Gaps = table.Column<string>(type: "TEXT", nullable: false),
                    FileSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Mac = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditArchives", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditArchives_Archive",
                table: "AuditArchives",
                column: "Archive",
                unique: true);

            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditArchives_no_update" BEFORE UPDATE ON "AuditArchives"
                BEGIN SELECT RAISE(ABORT, 'Audit archives cannot be changed or removed (UPDATE)'); END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditArchives_no_delete" BEFORE DELETE ON "AuditArchives"
                BEGIN SELECT RAISE(ABORT, 'Audit archives cannot be changed or removed (DELETE)'); END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditArchives");
        }
    }
}
