using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Aftercare.App.Data.Migrations.Postgres
{
    /// <summary>
    /// The anchors that archiving the audit leaves (ADR 0017), append-only like the audit itself
    /// (hand-written triggers, with the audit's function).
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Archive = table.Column<Guid>(type: "uuid", nullable: false),
                    ArchivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FromMonth = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    ToMonth = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    Events = table.Column<long>(type: "bigint", nullable: false),
                    FirstPosition = table.Column<long>(type: "bigint", nullable: false),
                    LastPosition = table.Column<long>(type: "bigint", nullable: false),
                    HeadPosition = table.Column<long>(type: "bigint", nullable: false),
                    HeadHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Gaps = table.Column<string>(type: "text", nullable: false),
                    FileSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Mac = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
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
                CREATE TRIGGER "AuditArchives_append_only" BEFORE UPDATE OR DELETE ON "AuditArchives"
                    FOR EACH ROW EXECUTE FUNCTION aftercare_audit_append_only();
                CREATE TRIGGER "AuditArchives_no_truncate" BEFORE TRUNCATE ON "AuditArchives"
                    FOR EACH STATEMENT EXECUTE FUNCTION aftercare_audit_append_only();
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
